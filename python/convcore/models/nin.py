"""Network in Network (Lin et al. 2013): mlpconv blocks and a global average pooling head.

An mlpconv block is a conv followed by two 1x1 convs (each with ReLU): a
small two-layer network applied at every position. The last block produces
one map per class and global average pooling turns each into a score, with
no fully connected layer. variant="imagenet" (224x224x3, the Caffe model
zoo's network): conv(11, 96, s4) 96 96, pool(3, 2), conv(5, 256, p2) 256
256, pool(3, 2), conv(3, 384, p1) 384 384, pool(3, 2), dropout,
conv(3, 1024, p1) 1024 classes; variant="cifar" (32x32x3, the paper's
CIFAR-10 network): conv(5, 192, p2) 160 96, pool(3, 2), dropout,
conv(5, 192, p2) 192 192, avg(3, 2), dropout, conv(3, 192, p1) 192
classes. batch_norm=True adds BN after every conv. features.N holds the
layers, in order; the head is avgpool + flatten.
"""
from __future__ import annotations

from .. import nn
from ._common import check_choice, check_positive_int, check_probability, with_input_size
from .registry import register


def _mlpconv(in_channels: int, widths, kernel_size: int, stride: int, padding: int,
             batch_norm: bool) -> list:
    layers, channels = [], in_channels
    for i, width in enumerate(widths):
        if i == 0:
            layers.append(nn.Conv2d(channels, width, kernel_size, stride=stride, padding=padding))
        else:
            layers.append(nn.Conv2d(channels, width, 1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(width))
        layers.append(nn.ReLU(inplace=True))
        channels = width
    return layers


class NiN(nn.Module):
    """mlpconv blocks (the last with num_classes maps) -> global average -> [N, classes]."""

    def __init__(self, features: nn.Sequential):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()

    def forward(self, x):
        return self.flatten(self.avgpool(self.features(x)))


@register
def nin(num_classes: int = 1000, in_channels: int = 3, batch_norm: bool = False,
        dropout: float = 0.5, variant: str = "imagenet") -> NiN:
    """Network in Network. input [N, in_channels, 224, 224] ('imagenet', any size from 67)
    or [N, in_channels, 32, 32] ('cifar', any size from 7) -> [N, num_classes]."""
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    check_probability(dropout)
    check_choice(variant, "variant", ("imagenet", "cifar"))
    bn = bool(batch_norm)
    if variant == "imagenet":
        layers = (_mlpconv(in_channels, (96, 96, 96), 11, 4, 0, bn) + [nn.MaxPool2d(3, 2)]
                  + _mlpconv(96, (256, 256, 256), 5, 1, 2, bn) + [nn.MaxPool2d(3, 2)]
                  + _mlpconv(256, (384, 384, 384), 3, 1, 1, bn) + [nn.MaxPool2d(3, 2),
                                                                   nn.Dropout(dropout)]
                  + _mlpconv(384, (1024, 1024, num_classes), 3, 1, 1, bn))
        size = 224
    else:
        layers = (_mlpconv(in_channels, (192, 160, 96), 5, 1, 2, bn)
                  + [nn.MaxPool2d(3, 2, ceil_mode=True), nn.Dropout(dropout)]
                  + _mlpconv(96, (192, 192, 192), 5, 1, 2, bn)
                  + [nn.AvgPool2d(3, 2, ceil_mode=True), nn.Dropout(dropout)]
                  + _mlpconv(192, (192, 192, num_classes), 3, 1, 1, bn))
        size = 32
    return with_input_size(NiN(nn.Sequential(*layers)), in_channels, size)
