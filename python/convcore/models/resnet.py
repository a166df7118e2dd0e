"""Residual networks (He et al. 2015, 2016): a[l+2] = relu(z[l+2] + a[l]).

The CIFAR family resnet20/32/44/56: three stages of n basic blocks each
(16, 32, 64 channels; 6n + 2 layers) on 32x32 images, with the paper's
option A shortcut where the shape changes (subsample by 2 and pad the new
channels with zeros: no parameters), global average pooling and one fully
connected layer: ResNet-20 has 0.27M parameters.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._C import from_numpy
from .. import nn
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


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers and the shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))) + x)."""

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class CifarResNet(nn.Module):
    """conv3x3(16) BN ReLU, 3 stages of `depth` blocks, global average pool, fc."""

    def __init__(self, blocks_per_stage: int, num_classes: int = 10, in_channels: int = 3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
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
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))


def _cifar_resnet(depth: int, num_classes: int, in_channels: int) -> CifarResNet:
    return CifarResNet((depth - 2) // 6, num_classes, in_channels)


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
