"""Xception (Chollet 2017): Inception taken to the limit, depthwise-separable convs only.

Entry flow: conv(3, 32, s2), conv(3, 64), then three blocks (128, 256, 728
channels) of two separable convs and a 3x3/2 max pool, each with a 1x1/2
conv + BN shortcut; middle flow: eight blocks of three separable convs
(728) with identity shortcuts; exit flow: a block 728 -> 1024 with a
shortcut, separable convs 1536 and 2048, global average pool, fc.
A separable conv is a 3x3 depthwise conv (groups = C) then a 1x1 pointwise
conv, both without bias, followed by BN. 22,855,952 parameters (Keras's
trainable count) on 299x299x3. Names as the common PyTorch port's (conv1,
bn1, block1.skip, block1.rep.1.conv1 / .pointwise, conv3, fc).
"""
from __future__ import annotations

from .. import nn
from ._common import check_positive_int, init_conv_fc, with_input_size
from .registry import register


class SeparableConv2d(nn.Module):
    """3x3 depthwise (groups = C) then 1x1 pointwise: [N, C, H, W] -> [N, K, H, W]."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 padding: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, in_channels, kernel_size, padding=padding,
                               groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class Block(nn.Module):
    """reps x (ReLU, separable conv, BN) [then 3x3/stride max pool] + shortcut.

    grow_first: the first separable conv widens to out_channels (else the
    last does); start_with_relu=False skips the first ReLU (block1 follows a ReLU).
    """

    def __init__(self, in_channels: int, out_channels: int, reps: int, stride: int = 1,
                 start_with_relu: bool = True, grow_first: bool = True):
        super().__init__()
        if out_channels != in_channels or stride != 1:
            self.skip = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            self.skipbn = nn.BatchNorm2d(out_channels)
        else:
            self.skip = None
        widths = [in_channels] + ([out_channels] * reps if grow_first
                                  else [in_channels] * (reps - 1) + [out_channels])
        layers = []
        for i in range(reps):
            if i > 0 or start_with_relu:
                layers.append(nn.ReLU(inplace=True))
            else:
                layers.append(nn.Identity())  # keeps the indices of the common port
            layers += [SeparableConv2d(widths[i], widths[i + 1]), nn.BatchNorm2d(widths[i + 1])]
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, padding=1))
        self.rep = nn.Sequential(*layers)

    def forward(self, x):
        shortcut = x if self.skip is None else self.skipbn(self.skip(x))
        return self.rep(x) + shortcut


class Xception(nn.Module):
    """x: [N, C, 299, 299] -> [N, 2048, 10, 10] -> [N, classes]."""

    def __init__(self, num_classes: int, in_channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3, stride=2, bias=False)  # 149x149
        self.bn1 = nn.BatchNorm2d(32)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)                     # 147x147
        self.bn2 = nn.BatchNorm2d(64)
        self.relu2 = nn.ReLU(inplace=True)
        self.block1 = Block(64, 128, 2, 2, start_with_relu=False)          # 74x74
        self.block2 = Block(128, 256, 2, 2)                                 # 37x37
        self.block3 = Block(256, 728, 2, 2)                                 # 19x19
        for i in range(4, 12):                                              # middle flow
            setattr(self, f"block{i}", Block(728, 728, 3, 1))
        self.block12 = Block(728, 1024, 2, 2, grow_first=False)            # 10x10
        self.conv3 = SeparableConv2d(1024, 1536)
        self.bn3 = nn.BatchNorm2d(1536)
        self.relu3 = nn.ReLU(inplace=True)
        self.conv4 = SeparableConv2d(1536, 2048)
        self.bn4 = nn.BatchNorm2d(2048)
        self.relu4 = nn.ReLU(inplace=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(2048, num_classes)
        init_conv_fc(self)

    def forward(self, x):  # x: [N, C, 299, 299]
        x = self.relu2(self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x))))))
        for i in range(1, 13):
            x = getattr(self, f"block{i}")(x)
        x = self.relu4(self.bn4(self.conv4(self.relu3(self.bn3(self.conv3(x))))))
        return self.fc(self.flatten(self.avgpool(x)))


@register
def xception(num_classes: int = 1000, in_channels: int = 3) -> Xception:
    """Xception. input [N, in_channels, 299, 299] (any size from 71) -> [N, num_classes]."""
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    return with_input_size(Xception(num_classes, in_channels), in_channels, 299)
