"""DenseNet (Huang et al. 2017): each layer sees the concatenation of all earlier maps.

A dense layer is BN, ReLU, 1x1 conv (bn_size x growth_rate channels), BN,
ReLU, 3x3 conv (growth_rate channels); a dense block of n layers turns C
channels into C + n x growth_rate; a transition (BN, ReLU, 1x1 conv halving
the channels, 2x2 average pool) joins blocks. densenet121: growth 32,
blocks 6-12-24-16, 64 initial channels, 7,978,856 parameters. Layout and
names as torchvision's (features.conv0, features.denseblock1.denselayer1.
conv1, features.transition1.conv, features.norm5, classifier), so its state
dicts load unchanged. Each layer appends its maps to the running stack (convcore.functional.cat)
instead of re-concatenating every earlier output as torchvision does. Left out: the memory-
efficient checkpointing variant and dropout between layers (rate 0).
"""
from __future__ import annotations

from .. import nn
from ._common import check_positive_int, with_input_size
from ..functional import cat
from .registry import register


class _DenseLayer(nn.Module):
    """[N, C, H, W] -> the growth_rate new maps [N, growth_rate, H, W]. Each ReLU is
    its batch norm's relu epilogue."""

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, bn_size * growth_rate, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)

    def forward(self, x):
        return self.conv2(self.norm2(self.conv1(self.norm1(x, relu=True)), relu=True))


class _DenseBlock(nn.Module):
    """[N, C, H, W] -> [N, C + layers x growth_rate, H, W]."""

    def __init__(self, layers: int, in_channels: int, growth_rate: int, bn_size: int):
        super().__init__()
        for i in range(layers):
            self.add_module(f"denselayer{i + 1}",
                            _DenseLayer(in_channels + i * growth_rate, growth_rate, bn_size))

    def forward(self, x):
        for layer in self.children():
            x = cat([x, layer(x)], 1)
        return x


class _Transition(nn.Sequential):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.add_module("norm", nn.BatchNorm2d(in_channels))
        self.add_module("relu", nn.ReLU(inplace=True))
        self.add_module("conv", nn.Conv2d(in_channels, out_channels, 1, bias=False))
        self.add_module("pool", nn.AvgPool2d(2, 2))


class DenseNet(nn.Module):
    """x: [N, C, 224, 224] -> features [N, F, 7, 7] -> [N, classes]."""

    def __init__(self, growth_rate: int, block_config, num_init_features: int, bn_size: int,
                 num_classes: int, in_channels: int):
        super().__init__()
        self.features = nn.Sequential()
        f = self.features
        f.add_module("conv0", nn.Conv2d(in_channels, num_init_features, 7, stride=2, padding=3,
                                        bias=False))
        f.add_module("norm0", nn.BatchNorm2d(num_init_features))
        f.add_module("relu0", nn.ReLU(inplace=True))
        f.add_module("pool0", nn.MaxPool2d(3, 2, padding=1))
        channels = num_init_features
        for i, layers in enumerate(block_config):
            f.add_module(f"denseblock{i + 1}", _DenseBlock(layers, channels, growth_rate, bn_size))
            channels += layers * growth_rate
            if i != len(block_config) - 1:
                f.add_module(f"transition{i + 1}", _Transition(channels, channels // 2))
                channels //= 2
        f.add_module("norm5", nn.BatchNorm2d(channels))
        self.relu = nn.ReLU(inplace=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(channels, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.flatten(self.avgpool(self.relu(self.features(x)))))


@register
def densenet121(num_classes: int = 1000, in_channels: int = 3, growth_rate: int = 32,
                bn_size: int = 4) -> DenseNet:
    """DenseNet-121. input [N, in_channels, 224, 224] (any size from 32) -> [N, num_classes]."""
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    check_positive_int(growth_rate, "growth_rate")
    check_positive_int(bn_size, "bn_size")
    model = DenseNet(growth_rate, (6, 12, 24, 16), 64, bn_size, num_classes, in_channels)
    return with_input_size(model, in_channels, 224)
