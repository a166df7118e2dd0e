"""Residual networks (He et al. 2015, 2016): a[l+2] = relu(z[l+2] + a[l]).

The ImageNet family resnet18/34 (basic blocks: two 3x3 convs) and
resnet50/101/152 (bottleneck blocks: 1x1 reduce, 3x3, 1x1 expand by 4),
with a projection shortcut (1x1 conv + BN, "downsample") where the shape
changes, in torchvision's layout and names (conv1, bn1, layer1.0.conv1,
layer2.0.downsample.0, fc; the stride on the bottleneck's 3x3 conv, "v1.5"),
so torchvision state dicts load unchanged: ResNet-18 has 11,689,512
parameters, ResNet-50 25,557,032. ResNeXt (Xie et al. 2017) is the
bottleneck with a grouped 3x3 conv: resnext50_32x4d, 25,028,904.
The CIFAR family resnet20/32/44/56: three stages of n basic blocks each
(16, 32, 64 channels; 6n + 2 layers) on 32x32 images, with the paper's
option A shortcut where the shape changes (subsample by 2 and pad the new
channels with zeros: no parameters), global average pooling and one fully
connected layer: ResNet-20 has 0.27M parameters.

Each ReLU runs inside the batch norm before it, and a block's residual
addition too (bn(x, residual=..., relu=True): one pass over memory instead
of three); the models hold no ReLU modules, which have no state.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._C import from_numpy
from .. import nn
from ._common import check_positive_int, init_conv_fc, with_input_size
from .registry import register


class ZeroPadShortcut(nn.Module):
    """Option A: x [N, C, H, W] -> [N, out_channels, H/s, W/s], the extra channels zero.

    Runs as a 1x1 stride-s convolution with the fixed weight [I; 0], a
    buffer outside the state dict: the shortcut has no parameters.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        weight = np.zeros((out_channels, in_channels, 1, 1), np.float32)
        weight[np.arange(in_channels), np.arange(in_channels)] = 1.0
        self.register_buffer("weight", from_numpy(weight), persistent=False)
        self.stride = stride

    def forward(self, x):
        return F.conv2d(x, self.weight, stride=self.stride)

    def summary_count(self, in_shape, out_shape):
        """Like the residual addition it feeds: a copy, no parameters, no operations."""
        from ..summary.counting import Count
        return Count(0, 0, "shortcut(pad)", free=True)


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers and the shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))) + x)."""

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn1(self.conv1(x), relu=True)
        return self.bn2(self.conv2(out), residual=identity, relu=True)


class CifarResNet(nn.Module):
    """conv3x3(16) BN ReLU, 3 stages of `depth` blocks, global average pool, fc."""

    def __init__(self, blocks_per_stage: int, num_classes: int = 10, in_channels: int = 3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        channels, stages = 16, []
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(blocks_per_stage):
                s = stride if i == 0 else 1
                shortcut = ZeroPadShortcut(channels, width, s) if (s, channels) != (1, width) \
                    else None
                blocks.append(BasicBlock(channels, width, s, shortcut))
                channels = width
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):  # x: [N, C, 32, 32] -> [N, num_classes]
        x = self.bn1(self.conv1(x), relu=True)
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))


def _cifar_resnet(depth: int, num_classes: int, in_channels: int) -> CifarResNet:
    return with_input_size(CifarResNet((depth - 2) // 6, num_classes, in_channels), in_channels, 32)


@register
def resnet20(num_classes: int = 10, in_channels: int = 3) -> CifarResNet:
    """CIFAR ResNet-20 (3 x 3 basic blocks), 0.27M parameters."""
    return _cifar_resnet(20, num_classes, in_channels)


@register
def resnet32(num_classes: int = 10, in_channels: int = 3) -> CifarResNet:
    """CIFAR ResNet-32 (3 x 5 basic blocks), 0.46M parameters."""
    return _cifar_resnet(32, num_classes, in_channels)


@register
def resnet44(num_classes: int = 10, in_channels: int = 3) -> CifarResNet:
    """CIFAR ResNet-44 (3 x 7 basic blocks), 0.66M parameters."""
    return _cifar_resnet(44, num_classes, in_channels)


@register
def resnet56(num_classes: int = 10, in_channels: int = 3) -> CifarResNet:
    """CIFAR ResNet-56 (3 x 9 basic blocks), 0.85M parameters."""
    return _cifar_resnet(56, num_classes, in_channels)


# ---------------------------------------------------------------- ImageNet ResNets

class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (stride, groups), 1x1 expand by 4, each with BN; relu(out + shortcut).

    width = channels * base_width / 64 * groups: 64-wide and 1 group for ResNet,
    4-wide and 32 groups for ResNeXt-50 32x4d.
    """

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1, downsample=None,
                 groups: int = 1, base_width: int = 64):
        super().__init__()
        width = int(channels * (base_width / 64.0)) * groups
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, channels * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels * self.expansion)
        self.downsample = downsample

    def forward(self, x):  # x: [N, C, H, W] -> [N, 4 * channels, H / stride, W / stride]
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn1(self.conv1(x), relu=True)
        out = self.bn2(self.conv2(out), relu=True)
        return self.bn3(self.conv3(out), residual=identity, relu=True)


class ResNet(nn.Module):
    """conv(7, 64, p3, s2) BN ReLU, pool(3, 2, p1), four stages (64/128/256/512 x
    expansion, stride 1/2/2/2), global average pool, fc. x: [N, C, H, W] -> [N, classes]."""

    def __init__(self, block, layers, num_classes: int = 1000, in_channels: int = 3,
                 groups: int = 1, width_per_group: int = 64, zero_init_residual: bool = False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, padding=1)
        self._channels = 64
        extra = {} if block is BasicBlock else {"groups": groups, "base_width": width_per_group}
        self.layer1 = self._stage(block, 64, layers[0], 1, extra)
        self.layer2 = self._stage(block, 128, layers[1], 2, extra)
        self.layer3 = self._stage(block, 256, layers[2], 2, extra)
        self.layer4 = self._stage(block, 512, layers[3], 2, extra)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        init_conv_fc(self)  # the fc keeps torch's default initialisation, as torchvision's
        if zero_init_residual:  # each block starts as the identity (Goyal et al. 2017)
            for m in self.modules():
                last = getattr(m, "bn3", None) if isinstance(m, Bottleneck) else \
                    getattr(m, "bn2", None) if isinstance(m, BasicBlock) else None
                if last is not None:
                    nn.init.zeros_(last.weight)

    def _stage(self, block, channels: int, blocks: int, stride: int, extra) -> nn.Sequential:
        out = channels * block.expansion
        downsample = None
        if stride != 1 or self._channels != out:  # projection shortcut
            downsample = nn.Sequential(nn.Conv2d(self._channels, out, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(out))
        layers = [block(self._channels, channels, stride, downsample, **extra)]
        self._channels = out
        layers += [block(out, channels, **extra) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):  # x: [N, C, 224, 224]
        x = self.maxpool(self.bn1(self.conv1(x), relu=True))  # [N, 64, 56, 56]
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))  # [N, 512 * e, 7, 7]
        return self.fc(self.flatten(self.avgpool(x)))


def _resnet(block, layers, num_classes, in_channels, zero_init_residual, groups=1,
            width_per_group=64) -> ResNet:
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    model = ResNet(block, layers, num_classes, in_channels, groups, width_per_group,
                   bool(zero_init_residual))
    return with_input_size(model, in_channels, 224)


@register
def resnet18(num_classes: int = 1000, in_channels: int = 3,
             zero_init_residual: bool = False) -> ResNet:
    """ResNet-18 (basic blocks 2-2-2-2). input [N, in_channels, 224, 224] -> [N, classes];
    11,689,512 parameters. Any input of at least 32x32 runs (global average pool)."""
    return _resnet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, zero_init_residual)


@register
def resnet34(num_classes: int = 1000, in_channels: int = 3,
             zero_init_residual: bool = False) -> ResNet:
    """ResNet-34 (basic blocks 3-4-6-3). input [N, in_channels, 224, 224]; 21,797,672 parameters."""
    return _resnet(BasicBlock, [3, 4, 6, 3], num_classes, in_channels, zero_init_residual)


@register
def resnet50(num_classes: int = 1000, in_channels: int = 3,
             zero_init_residual: bool = False) -> ResNet:
    """ResNet-50 (bottlenecks 3-4-6-3). input [N, in_channels, 224, 224]; 25,557,032 parameters."""
    return _resnet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels, zero_init_residual)


@register
def resnet101(num_classes: int = 1000, in_channels: int = 3,
              zero_init_residual: bool = False) -> ResNet:
    """ResNet-101 (bottlenecks 3-4-23-3). [N, in_channels, 224, 224]; 44,549,160 parameters."""
    return _resnet(Bottleneck, [3, 4, 23, 3], num_classes, in_channels, zero_init_residual)


@register
def resnet152(num_classes: int = 1000, in_channels: int = 3,
              zero_init_residual: bool = False) -> ResNet:
    """ResNet-152 (bottlenecks 3-8-36-3). [N, in_channels, 224, 224]; 60,192,808 parameters."""
    return _resnet(Bottleneck, [3, 8, 36, 3], num_classes, in_channels, zero_init_residual)


@register
def resnext50_32x4d(num_classes: int = 1000, in_channels: int = 3,
                    zero_init_residual: bool = False) -> ResNet:
    """ResNeXt-50 32x4d: ResNet-50 with 32 groups of 4-wide 3x3 convs (twice as wide
    bottlenecks). input [N, in_channels, 224, 224]; 25,028,904 parameters."""
    return _resnet(Bottleneck, [3, 4, 6, 3], num_classes, in_channels, zero_init_residual,
                   groups=32, width_per_group=4)
