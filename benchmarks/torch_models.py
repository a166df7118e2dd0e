"""PyTorch twins of the convcore zoo models the whole-network benchmarks time.

Each has the same layers, shapes and parameter count as the convcore model
of the same name, written the way a PyTorch user would write it (the CIFAR
ResNet's option A shortcut as slicing and channel padding, not as convcore's
fixed 1x1 convolution). torch is imported by the caller; this module never
is by the library.
"""
from __future__ import annotations

import torch
import torch.nn as tnn
import torch.nn.functional as tF


class ScaledTanh(tnn.Module):
    """LeNet-5's squashing function 1.7159 tanh(2x/3)."""

    def forward(self, x):
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


def lenet5(num_classes: int = 10) -> tnn.Module:
    """convcore.models.lenet5(): full C3, average pooling, scaled tanh, 32x32x1 input."""
    return tnn.Sequential(
        tnn.Conv2d(1, 6, 5), ScaledTanh(), tnn.AvgPool2d(2),
        tnn.Conv2d(6, 16, 5), ScaledTanh(), tnn.AvgPool2d(2),
        tnn.Conv2d(16, 120, 5), ScaledTanh(), tnn.Flatten(),
        tnn.Linear(120, 84), ScaledTanh(), tnn.Linear(84, num_classes),
    )


class _CifarBlock(tnn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(cout)
        self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        identity = x
        if self.stride != 1 or self.extra:  # option A: subsample, zero channels
            identity = tF.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, 0, self.extra))
        out = tF.relu(self.bn1(self.conv1(x)))
        return tF.relu(self.bn2(self.conv2(out)) + identity)


class CifarResNet(tnn.Module):
    def __init__(self, blocks_per_stage: int, num_classes: int = 10):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(16)
        layers, cin = [], 16
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(blocks_per_stage):
                layers.append(_CifarBlock(cin, width, stride if i == 0 else 1))
                cin = width
        self.layers = tnn.Sequential(*layers)
        self.fc = tnn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layers(tF.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(tF.adaptive_avg_pool2d(x, 1), 1))


def resnet20(num_classes: int = 10) -> tnn.Module:
    """convcore.models.resnet20(): 3 x 3 basic blocks, 0.27M parameters."""
    return CifarResNet(3, num_classes)


class _BasicBlock(tnn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(cout)
        self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False),
                                             tnn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = tF.relu(self.bn1(self.conv1(x)))
        return tF.relu(self.bn2(self.conv2(out)) + identity)


class ResNet18(tnn.Module):
    """torchvision's resnet18 (11,689,512 parameters at 1000 classes)."""

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.stem = tnn.Sequential(tnn.Conv2d(3, 64, 7, 2, 3, bias=False), tnn.BatchNorm2d(64),
                                   tnn.ReLU(), tnn.MaxPool2d(3, 2, 1))
        layers, cin = [], 64
        for width, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [_BasicBlock(cin, width, stride), _BasicBlock(width, width, 1)]
            cin = width
        self.layers = tnn.Sequential(*layers)
        self.fc = tnn.Linear(512, num_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(tF.adaptive_avg_pool2d(x, 1), 1))


def resnet18(num_classes: int = 1000) -> tnn.Module:
    return ResNet18(num_classes)
