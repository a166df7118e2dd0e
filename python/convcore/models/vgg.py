"""VGG (Simonyan and Zisserman 2014): configurations A, A-LRN, B, C, D, E.

3x3 convolutions (stride 1, pad 1) in five blocks of 64/128/256/512/512
channels, each closed by 2x2 max pooling; A 1/1/2/2/2 convs per block
(vgg11), A-LRN = A with LRN after the first conv (vgg11_lrn), B 2/2/2/2/2
(vgg13), C = B plus a 1x1 conv in blocks 3-5 (vgg16_c), D 2/2/3/3/3 (vgg16,
138,357,544 parameters), E 2/2/4/4/4 (vgg19). Layout as torchvision's VGG:
features.N (conv, [bn,] relu, ..., maxpool), avgpool (adaptive, to
input_size // 32), classifier.N = fc hidden, relu, dropout, fc hidden, relu,
dropout, fc num_classes; so torchvision state dicts (with or without
batch_norm) load unchanged. width scales the conv channels and input_size
sets the classifier's input: vgg11(width=0.125, hidden=64, input_size=32)
trains on CIFAR-10 on a CPU. Left out: the paper's multi-scale training.
"""
from __future__ import annotations

from .. import nn
from ._common import (check_positive_int, check_probability, check_width, init_conv_fc,
                      scaled, with_input_size)
from .registry import register

# Per block: the output channels of each conv; "1x1:" marks configuration C's pointwise convs.
_CONFIGS = {
    "A": [[64], [128], [256, 256], [512, 512], [512, 512]],
    "B": [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    "C": [[64, 64], [128, 128], [256, 256, "1x1:256"], [512, 512, "1x1:512"],
          [512, 512, "1x1:512"]],
    "D": [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    "E": [[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4],
}


class VGG(nn.Module):
    """features -> adaptive average pool -> classifier. x: [N, C, H, W] -> [N, classes]."""

    def __init__(self, features: nn.Sequential, channels: int, side: int, num_classes: int,
                 hidden: int, dropout: float):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((side, side))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(channels * side * side, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),
        )
        init_conv_fc(self)

    def forward(self, x):  # x: [N, C, H, W]
        return self.classifier(self.flatten(self.avgpool(self.features(x))))


def _vgg(config: str, num_classes: int, in_channels: int, input_size: int, batch_norm: bool,
         width: float, hidden: int, dropout: float, lrn: bool = False) -> VGG:
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    check_positive_int(input_size, "input_size")
    if input_size < 32:
        raise ValueError(f"input_size: VGG halves the image five times; expected at least 32, "
                         f"got {input_size}")
    width = check_width(width)
    check_positive_int(hidden, "hidden")
    check_probability(dropout)
    layers, channels = [], in_channels
    for block in _CONFIGS[config]:
        for spec in block:
            pointwise = isinstance(spec, str)
            out = scaled(int(spec.split(":")[1]) if pointwise else spec, width)
            first = not layers
            layers.append(nn.Conv2d(channels, out, 1 if pointwise else 3,
                                    padding=0 if pointwise else 1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.ReLU(inplace=True))
            if lrn and first:  # A-LRN: after the first conv only
                layers.append(nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0))
            channels = out
        layers.append(nn.MaxPool2d(2, 2))
    model = VGG(nn.Sequential(*layers), channels, input_size // 32, num_classes, hidden, dropout)
    return with_input_size(model, in_channels, input_size)


_DOC = """VGG-{n} (configuration {c}). input [N, in_channels, input_size, input_size]
    (224 by default, at least 32) -> [N, num_classes]. batch_norm adds BN after
    each conv (torchvision's vgg{n}_bn layout); width scales the conv channels;
    hidden is the width of the two hidden fully connected layers."""


@register
def vgg11(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
          batch_norm: bool = False, width: float = 1.0, hidden: int = 4096,
          dropout: float = 0.5) -> VGG:
    return _vgg("A", num_classes, in_channels, input_size, batch_norm, width, hidden, dropout)


@register
def vgg11_lrn(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
              batch_norm: bool = False, width: float = 1.0, hidden: int = 4096,
              dropout: float = 0.5) -> VGG:
    return _vgg("A", num_classes, in_channels, input_size, batch_norm, width, hidden, dropout,
                lrn=True)


@register
def vgg13(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
          batch_norm: bool = False, width: float = 1.0, hidden: int = 4096,
          dropout: float = 0.5) -> VGG:
    return _vgg("B", num_classes, in_channels, input_size, batch_norm, width, hidden, dropout)


@register
def vgg16_c(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
            batch_norm: bool = False, width: float = 1.0, hidden: int = 4096,
            dropout: float = 0.5) -> VGG:
    return _vgg("C", num_classes, in_channels, input_size, batch_norm, width, hidden, dropout)


@register
def vgg16(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
          batch_norm: bool = False, width: float = 1.0, hidden: int = 4096,
          dropout: float = 0.5) -> VGG:
    return _vgg("D", num_classes, in_channels, input_size, batch_norm, width, hidden, dropout)


@register
def vgg19(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
          batch_norm: bool = False, width: float = 1.0, hidden: int = 4096,
          dropout: float = 0.5) -> VGG:
    return _vgg("E", num_classes, in_channels, input_size, batch_norm, width, hidden, dropout)


for _fn, _n, _c in ((vgg11, 11, "A"), (vgg11_lrn, 11, "A-LRN"), (vgg13, 13, "B"),
                    (vgg16_c, 16, "C"), (vgg16, 16, "D"), (vgg19, 19, "E")):
    _fn.__doc__ = _DOC.format(n=_n, c=_c)
