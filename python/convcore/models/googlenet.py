"""GoogLeNet (Inception v1, Szegedy et al. 2015) with its two auxiliary classifiers.

conv(7, 64, p3, s2), pool(3, 2, p1), conv(1, 64), conv(3, 192, p1),
pool(3, 2, p1), Inception 3a 3b, pool, 4a-4e, pool, 5a 5b, global average
pool, dropout 0.4, fc: the decks' table (6,998,552 parameters on the main
path). An Inception module concatenates four branches (1x1; 1x1 then 3x3;
1x1 then 5x5; 3x3/1 max pool then 1x1) along the channels and counts as
one row in convcore.summary, labelled inc(#1x1, (#3x3red, #3x3),
(#5x5red, #5x5), #pool). The auxiliary classifiers (on 4a and 4d: avg(5, 3),
conv(1, 128), fc 1024, dropout 0.7, fc classes) run in training mode only:
the model then returns GoogLeNetOutputs(logits, aux_logits2, aux_logits1)
and the loss adds 0.3 x each auxiliary loss; evaluation returns the logits.
Names as torchvision's (conv1.conv, inception3a.branch2.1.conv, aux1.fc2,
fc); batch_norm=True gives its conv-BN blocks, but torchvision's model
stays incompatible (its "5x5" branch is a 3x3). Left out: the paper's LRN
layers (not in the decks' table) and torchvision's transform_input.
"""
from __future__ import annotations

from collections import namedtuple

from .. import nn
from ._common import check_positive_int, check_probability, with_input_size
from ..functional import cat
from .registry import register

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


class BasicConv2d(nn.Module):
    """conv (with bias, or without it and followed by batch norm) and ReLU (the batch
    norm's own relu epilogue where there is one)."""

    def __init__(self, in_channels: int, out_channels: int, batch_norm: bool, **conv_options):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=not batch_norm, **conv_options)
        if batch_norm:
            self.bn = nn.BatchNorm2d(out_channels, eps=0.001)
        else:
            self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.conv(x)
        if "bn" in self._modules:
            return self.bn(x, relu=True)
        return self.relu(x)


class Inception(nn.Module):
    """x [N, C, H, W] -> [N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W]."""

    summary_group = True  # one row in convcore.summary, as the decks count it

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int,
                 ch5x5: int, pool_proj: int, batch_norm: bool = False):
        super().__init__()
        self.widths = (ch1x1, (ch3x3red, ch3x3), (ch5x5red, ch5x5), pool_proj)
        bn = batch_norm
        self.branch1 = BasicConv2d(in_channels, ch1x1, bn, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, bn, kernel_size=1),
                                     BasicConv2d(ch3x3red, ch3x3, bn, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, bn, kernel_size=1),
                                     BasicConv2d(ch5x5red, ch5x5, bn, kernel_size=5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, padding=1),
                                     BasicConv2d(in_channels, pool_proj, bn, kernel_size=1))

    def summary_label(self) -> str:
        return "inc" + str(self.widths).replace(" ", "").replace(",", ", ")

    def forward(self, x):  # x: [N, C, H, W]
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """x [N, C, 14, 14] -> avg(5, 3) -> conv(1, 128) -> fc 1024 -> dropout -> fc [N, classes]."""

    def __init__(self, in_channels: int, num_classes: int, side: int, batch_norm: bool,
                 dropout: float):
        super().__init__()
        self.avgpool = nn.AvgPool2d(5, 3)
        self.conv = BasicConv2d(in_channels, 128, batch_norm, kernel_size=1)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(128 * side * side, 1024)
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = self.flatten(self.conv(self.avgpool(x)))
        return self.fc2(self.dropout(self.relu(self.fc1(x))))


class GoogLeNet(nn.Module):
    def __init__(self, num_classes: int, in_channels: int, input_size: int, aux_logits: bool,
                 batch_norm: bool, dropout: float, aux_dropout: float):
        super().__init__()
        bn = batch_norm
        self.aux_logits = aux_logits
        self.conv1 = BasicConv2d(in_channels, 64, bn, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, 2, padding=1)
        self.conv2 = BasicConv2d(64, 64, bn, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, bn, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, 2, padding=1)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32, bn)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64, bn)
        self.maxpool3 = nn.MaxPool2d(3, 2, padding=1)
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64, bn)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64, bn)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64, bn)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64, bn)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128, bn)
        self.maxpool4 = nn.MaxPool2d(3, 2, padding=1)
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128, bn)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128, bn)
        if aux_logits:
            side = (_side16(input_size) - 5) // 3 + 1  # avg(5, 3) on the 14x14 maps of 224
            self.aux1 = InceptionAux(512, num_classes, side, bn, aux_dropout)
            self.aux2 = InceptionAux(528, num_classes, side, bn, aux_dropout)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):  # x: [N, C, 224, 224]
        x = self.maxpool1(self.conv1(x))                    # [N, 64, 56, 56]
        x = self.maxpool2(self.conv3(self.conv2(x)))        # [N, 192, 28, 28]
        x = self.maxpool3(self.inception3b(self.inception3a(x)))  # [N, 480, 14, 14]
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux_logits and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux_logits and self.training else None
        x = self.maxpool4(self.inception4e(x))              # [N, 832, 7, 7]
        x = self.inception5b(self.inception5a(x))           # [N, 1024, 7, 7]
        logits = self.fc(self.dropout(self.flatten(self.avgpool(x))))
        if aux1 is None:
            return logits
        return GoogLeNetOutputs(logits, aux2, aux1)


def _side16(input_size: int) -> int:
    """The side of the 4a-4e maps: four halvings (conv1, three pools, each floor((n+1)/2))."""
    side = input_size
    for _ in range(4):
        side = (side + 1) // 2
    return side


@register
def googlenet(num_classes: int = 1000, in_channels: int = 3, input_size: int = 224,
              aux_logits: bool = True, batch_norm: bool = False, dropout: float = 0.4,
              aux_dropout: float = 0.7) -> GoogLeNet:
    """GoogLeNet. input [N, in_channels, input_size, input_size] (224) -> [N, num_classes]
    in evaluation; in training with aux_logits, GoogLeNetOutputs(logits, aux2, aux1).
    input_size sets the auxiliary heads' fc input; with aux_logits it must be at least 65."""
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    check_positive_int(input_size, "input_size")
    check_probability(dropout)
    check_probability(aux_dropout, "aux_dropout")
    if aux_logits and _side16(input_size) < 5:
        raise ValueError(f"input_size: the auxiliary classifiers pool 5x5 windows of the "
                         f"input_size/16 maps; expected at least 65, got {input_size} "
                         f"(or aux_logits=False)")
    model = GoogLeNet(num_classes, in_channels, input_size, aux_logits, batch_norm, dropout,
                      aux_dropout)
    return with_input_size(model, in_channels, input_size)
