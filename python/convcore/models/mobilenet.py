"""MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al. 2018).

v1: conv(3, 32, s2) then 13 depthwise-separable blocks (3x3 depthwise conv,
groups = C, BN, ReLU; 1x1 pointwise conv, BN, ReLU): a standard r x r conv
from C to K channels costs r^2 C K multiplies per position, the separable
pair r^2 C + C K, a ratio of 1/K + 1/r^2. Global average pool, dropout, fc.
width (the paper's alpha) scales every channel count; the resolution
multiplier is the input size (any size from 32 runs). 4,231,976 parameters
at width 1.0 and 1000 classes. Names: features.0.{0,1} (conv, bn),
features.k.{0,1,3,4} (depthwise conv, bn, pointwise conv, bn),
classifier.1 (fc). torchvision has no v1; these names follow its v2.
v2: inverted residuals (1x1 expand by t, 3x3 depthwise, 1x1 linear
projection; a shortcut where the shape allows), ReLU6, in torchvision's
layout and names (features.N.conv.M, classifier.1), so its state dicts load
unchanged; 3,504,872 parameters. Left out: v3 (squeeze-excitation, h-swish).
"""
from __future__ import annotations

from .. import nn
from ._common import (check_positive_int, check_probability, check_width, init_conv_fc,
                      scaled, with_input_size)
from .registry import register


def _conv_bn(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
             groups: int = 1, activation=nn.ReLU) -> list:
    return [nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                      padding=(kernel_size - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(out_channels), activation(inplace=True)]


class MobileNetV1(nn.Module):
    """x: [N, C, 224, 224] -> features [N, 1024 * width, 7, 7] -> [N, classes]."""

    # (output channels, stride) of the 13 depthwise-separable blocks
    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
              (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, num_classes: int, in_channels: int, width: float, dropout: float):
        super().__init__()
        channels = scaled(32, width)
        layers = [nn.Sequential(*_conv_bn(in_channels, channels, 3, stride=2))]
        for out, stride in self.blocks:
            out = scaled(out, width)
            layers.append(nn.Sequential(*_conv_bn(channels, channels, 3, stride, groups=channels),
                                        *_conv_bn(channels, out, 1)))
            channels = out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels, num_classes))
        init_conv_fc(self)

    def forward(self, x):
        return self.classifier(self.flatten(self.avgpool(self.features(x))))


def _make_divisible(value: float, divisor: int = 8) -> int:
    """The nearest multiple of divisor, but never more than 10% below value (v2's rounding)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class InvertedResidual(nn.Module):
    """[1x1 expand, BN, ReLU6,] 3x3 depthwise (stride), BN, ReLU6, 1x1 project, BN
    (no activation: a linear bottleneck); plus x when stride 1 keeps the channels."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, expand_ratio: int):
        super().__init__()
        hidden = int(round(in_channels * expand_ratio))
        self.use_res_connect = stride == 1 and in_channels == out_channels
        layers = []
        if expand_ratio != 1:
            layers.append(nn.Sequential(*_conv_bn(in_channels, hidden, 1, activation=nn.ReLU6)))
        layers += [nn.Sequential(*_conv_bn(hidden, hidden, 3, stride, groups=hidden,
                                           activation=nn.ReLU6)),
                   nn.Conv2d(hidden, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """x: [N, C, 224, 224] -> features [N, 1280, 7, 7] -> [N, classes]."""

    # expansion t, channels c, repeats n, first stride s (the paper's Table 2)
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes: int, in_channels: int, width: float, dropout: float):
        super().__init__()
        channels = _make_divisible(32 * width)
        last = _make_divisible(1280 * max(1.0, width))
        layers = [nn.Sequential(*_conv_bn(in_channels, channels, 3, 2, activation=nn.ReLU6))]
        for t, c, n, s in self.settings:
            out = _make_divisible(c * width)
            for i in range(n):
                layers.append(InvertedResidual(channels, out, s if i == 0 else 1, t))
                channels = out
        layers.append(nn.Sequential(*_conv_bn(channels, last, 1, activation=nn.ReLU6)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))
        init_conv_fc(self, linear_std=0.01)  # torchvision's

    def forward(self, x):
        return self.classifier(self.flatten(self.avgpool(self.features(x))))


def _check(num_classes, in_channels, width, dropout) -> float:
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    check_probability(dropout)
    return check_width(width)


@register
def mobilenet_v1(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
                 input_size: int = 224, dropout: float = 0.001) -> MobileNetV1:
    """MobileNet v1. input [N, in_channels, input_size, input_size] (224; 128-224 in the
    paper, anything from 32 runs) -> [N, num_classes]. width: the multiplier alpha
    (1.0, 0.75, 0.5, 0.25)."""
    width = _check(num_classes, in_channels, width, dropout)
    check_positive_int(input_size, "input_size")
    model = MobileNetV1(num_classes, in_channels, width, dropout)
    return with_input_size(model, in_channels, input_size)


@register
def mobilenet_v2(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
                 input_size: int = 224, dropout: float = 0.2) -> MobileNetV2:
    """MobileNet v2. input [N, in_channels, input_size, input_size] (224) -> [N, num_classes].
    width: the multiplier (channels rounded to multiples of 8)."""
    width = _check(num_classes, in_channels, width, dropout)
    check_positive_int(input_size, "input_size")
    model = MobileNetV2(num_classes, in_channels, width, dropout)
    return with_input_size(model, in_channels, input_size)
