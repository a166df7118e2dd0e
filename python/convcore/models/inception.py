"""Inception v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture"):
the v2/v3 factorisations.

A 5x5 conv becomes two 3x3 convs (InceptionA, 28% fewer multiplies), an
n x n conv becomes 1 x n then n x 1 (InceptionC with n = 7: asymmetric,
spatially separable convs), the coarsest grid widens its 3x3s into parallel
1x3 and 3x1 (InceptionE), and the grid shrinks by parallel stride-2 conv and
pooling branches (InceptionB, InceptionD) instead of pooling before an
expensive module. v2 is this network; v3 adds training changes (RMSProp,
label smoothing, a batch-normalised auxiliary head). Every conv is
conv-BN(eps 0.001)-ReLU without bias. Layout and names as torchvision's
inception_v3 (Conv2d_1a_3x3.conv, Mixed_5b.branch5x5_1.bn, AuxLogits.fc, fc),
so its state dicts load unchanged; 27,161,264 parameters with the auxiliary
head, 23,834,568 without. Each Inception module is one summary row. Left out:
torchvision's transform_input (its re-normalisation of ImageNet inputs).
"""
from __future__ import annotations

from collections import namedtuple

from .. import nn
from ._common import check_positive_int, check_probability, with_input_size
from ..functional import cat
from .registry import register

InceptionOutputs = namedtuple("InceptionOutputs", ["logits", "aux_logits"])


class BasicConv2d(nn.Module):
    """conv (no bias), BN (eps 0.001), ReLU (the batch norm's relu epilogue)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return self.bn(self.conv(x), relu=True)


class _Module(nn.Module):
    summary_group = True  # one summary row per Inception module

    def summary_label(self) -> str:
        return type(self).__name__


class InceptionA(_Module):
    """35x35: 1x1 | 1x1, 5x5 | 1x1, 3x3, 3x3 | avg 3x3, 1x1 -> 224 + pool_features channels."""

    def __init__(self, in_channels: int, pool_features: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 64, 1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, 1)
        self.branch5x5_2 = BasicConv2d(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, padding=1)
        self.pool = nn.AvgPool2d(3, 1, padding=1)
        self.branch_pool = BasicConv2d(in_channels, pool_features, 1)

    def forward(self, x):
        return cat([self.branch1x1(x),
                      self.branch5x5_2(self.branch5x5_1(x)),
                      self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                      self.branch_pool(self.pool(x))], 1)


class InceptionB(_Module):
    """35x35 -> 17x17: 3x3/2 | 1x1, 3x3, 3x3/2 | max 3x3/2 -> 480 + in_channels channels."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, 3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, stride=2)
        self.pool = nn.MaxPool2d(3, 2)

    def forward(self, x):
        return cat([self.branch3x3(x),
                      self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                      self.pool(x)], 1)


class InceptionC(_Module):
    """17x17, 7x7 factorised into 1x7 and 7x1: 1x1 | 1x1, 1x7, 7x1 | 1x1, (7x1, 1x7) x 2 |
    avg 3x3, 1x1 -> 768 channels; channels_7x7 is the inner width."""

    def __init__(self, in_channels: int, channels_7x7: int):
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7_2 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, (1, 7), padding=(0, 3))
        self.pool = nn.AvgPool2d(3, 1, padding=1)
        self.branch_pool = BasicConv2d(in_channels, 192, 1)

    def forward(self, x):
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d7 = self.branch7x7dbl_1(x)
        for layer in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                      self.branch7x7dbl_5):
            d7 = layer(d7)
        return cat([self.branch1x1(x), b7, d7, self.branch_pool(self.pool(x))], 1)


class InceptionD(_Module):
    """17x17 -> 8x8: 1x1, 3x3/2 | 1x1, 1x7, 7x1, 3x3/2 | max 3x3/2 -> 512 + in_channels."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch3x3_2 = BasicConv2d(192, 320, 3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, 3, stride=2)
        self.pool = nn.MaxPool2d(3, 2)

    def forward(self, x):
        b7 = x
        for layer in (self.branch7x7x3_1, self.branch7x7x3_2, self.branch7x7x3_3,
                      self.branch7x7x3_4):
            b7 = layer(b7)
        return cat([self.branch3x3_2(self.branch3x3_1(x)), b7, self.pool(x)], 1)


class InceptionE(_Module):
    """8x8, the 3x3s widened into parallel 1x3 and 3x1: 1x1 | 1x1, (1x3 | 3x1) |
    1x1, 3x3, (1x3 | 3x1) | avg 3x3, 1x1 -> 2048 channels."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 320, 1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, 1)
        self.branch3x3_2a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, 1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.pool = nn.AvgPool2d(3, 1, padding=1)
        self.branch_pool = BasicConv2d(in_channels, 192, 1)

    def forward(self, x):
        b3 = self.branch3x3_1(x)
        d3 = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        return cat([self.branch1x1(x), self.branch3x3_2a(b3), self.branch3x3_2b(b3),
                      self.branch3x3dbl_3a(d3), self.branch3x3dbl_3b(d3),
                      self.branch_pool(self.pool(x))], 1)


class InceptionAux(nn.Module):
    """17x17x768: avg 5x5/3, 1x1 conv 128, 5x5 conv 768, global average, fc."""

    def __init__(self, in_channels: int, num_classes: int):
        super().__init__()
        self.pool = nn.AvgPool2d(5, 3)
        self.conv0 = BasicConv2d(in_channels, 128, 1)
        self.conv1 = BasicConv2d(128, 768, 5)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(768, num_classes)

    def forward(self, x):
        return self.fc(self.flatten(self.avgpool(self.conv1(self.conv0(self.pool(x))))))


class Inception3(nn.Module):
    """x: [N, C, 299, 299] -> [N, classes] (training with aux_logits: InceptionOutputs)."""

    def __init__(self, num_classes: int, in_channels: int, aux_logits: bool, dropout: float):
        super().__init__()
        self.aux_logits = aux_logits
        self.Conv2d_1a_3x3 = BasicConv2d(in_channels, 32, 3, stride=2)  # 149x149
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, 3)                      # 147x147
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, 3, padding=1)
        self.maxpool1 = nn.MaxPool2d(3, 2)                               # 73x73
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, 1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, 3)                     # 71x71
        self.maxpool2 = nn.MaxPool2d(3, 2)                               # 35x35
        self.Mixed_5b = InceptionA(192, pool_features=32)                # 256
        self.Mixed_5c = InceptionA(256, pool_features=64)                # 288
        self.Mixed_5d = InceptionA(288, pool_features=64)                # 288
        self.Mixed_6a = InceptionB(288)                                  # 17x17x768
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        if aux_logits:
            self.AuxLogits = InceptionAux(768, num_classes)
        self.Mixed_7a = InceptionD(768)                                  # 8x8x1280
        self.Mixed_7b = InceptionE(1280)                                 # 2048
        self.Mixed_7c = InceptionE(2048)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(2048, num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, 0.0, 0.1, -0.2, 0.2)

    def forward(self, x):  # x: [N, C, 299, 299]
        for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1",
                     "Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c",
                     "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"):
            x = getattr(self, name)(x)
        aux = self.AuxLogits(x) if self.aux_logits and self.training else None
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))              # [N, 2048, 8, 8]
        logits = self.fc(self.flatten(self.dropout(self.avgpool(x))))
        return logits if aux is None else InceptionOutputs(logits, aux)


@register
def inception_v3(num_classes: int = 1000, in_channels: int = 3, aux_logits: bool = True,
                 dropout: float = 0.5) -> Inception3:
    """Inception v3. input [N, in_channels, 299, 299] (at least 75x75 without aux_logits)
    -> [N, num_classes]; in training with aux_logits, InceptionOutputs(logits, aux_logits)."""
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    check_probability(dropout)
    return with_input_size(Inception3(num_classes, in_channels, bool(aux_logits), dropout),
                           in_channels, 299)
