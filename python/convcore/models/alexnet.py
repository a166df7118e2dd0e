"""AlexNet (Krizhevsky et al. 2012), CaffeNet and ZFNet (Zeiler and Fergus 2013).

alexnet: the paper's network, conv 96-256-384-384-256 with local response
normalisation after conv1 and conv2 (then max pooling), groups=2 on
conv2/4/5 optionally (the two-GPU split, 60,965,224 parameters instead of
62,378,344); style="torchvision" gives torchvision's single-GPU variant
(64-192-384-256-256, no LRN, 61,100,840 parameters) whose state dicts load
unchanged. caffenet: the same with pooling before normalisation (the decks'
table, 227x227x3). zfnet: 7x7/2 first layer, 512-1024-512 conv3-5 (224x224x3).
Layout as torchvision's AlexNet: features.N, avgpool (adaptive, 6x6: other
input sizes work), classifier.N = dropout, fc 4096, relu, dropout, fc 4096,
relu, fc num_classes. Left out: the paper's PCA colour augmentation (data).
"""
from __future__ import annotations

from .. import nn
from ._common import check_choice, check_positive_int, check_probability, with_input_size
from .registry import register


def _lrn() -> nn.LocalResponseNorm:
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)  # SPEC section 2


class AlexNet(nn.Module):
    """features -> adaptive average pool to 6x6 -> classifier. x: [N, C, H, W] -> [N, classes]."""

    def __init__(self, features: nn.Sequential, channels: int, num_classes: int, dropout: float):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(channels * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):  # x: [N, C, H, W]
        return self.classifier(self.flatten(self.avgpool(self.features(x))))


def _paper_features(in_channels: int, groups: int, lrn: bool, pool_first: bool):
    def stage(conv):  # conv, relu, then LRN and pooling in the variant's order
        layers = [conv, nn.ReLU(inplace=True)]
        tail = [nn.MaxPool2d(3, 2)] + ([_lrn()] if lrn else [])
        return layers + (tail if pool_first else tail[::-1])

    return nn.Sequential(
        *stage(nn.Conv2d(in_channels, 96, 11, stride=4)),           # [N, 96, 55, 55]
        *stage(nn.Conv2d(96, 256, 5, padding=2, groups=groups)),    # [N, 256, 27, 27]
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),   # [N, 384, 13, 13]
        nn.Conv2d(384, 384, 3, padding=1, groups=groups), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, 3, padding=1, groups=groups), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2),                                         # [N, 256, 6, 6]
    )


def _check(num_classes, in_channels, groups, dropout):
    check_positive_int(num_classes, "num_classes")
    check_positive_int(in_channels, "in_channels")
    if groups not in (1, 2):
        raise ValueError(f"groups: expected 1 or 2 (the two-GPU split), got {groups!r}")
    check_probability(dropout)


@register
def alexnet(num_classes: int = 1000, in_channels: int = 3, groups: int = 1, lrn: bool = True,
            dropout: float = 0.5, style: str = "paper") -> AlexNet:
    """AlexNet. input [N, in_channels, 227, 227] (224 for style='torchvision') -> [N, classes].

    groups=2 splits conv2/4/5 as the two GPUs did; lrn=False drops the
    normalisation; style='torchvision' is torchvision's variant (no groups or LRN).
    """
    _check(num_classes, in_channels, groups, dropout)
    check_choice(style, "style", ("paper", "torchvision"))
    if style == "torchvision":
        if groups != 1 or lrn is not True:
            raise ValueError("style: 'torchvision' has no groups and no LRN; leave groups and "
                             "lrn at their defaults")
        features = nn.Sequential(
            nn.Conv2d(in_channels, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        return with_input_size(AlexNet(features, 256, num_classes, dropout), in_channels, 224)
    features = _paper_features(in_channels, groups, lrn, pool_first=False)
    return with_input_size(AlexNet(features, 256, num_classes, dropout), in_channels, 227)


@register
def caffenet(num_classes: int = 1000, in_channels: int = 3, groups: int = 1, lrn: bool = True,
             dropout: float = 0.5) -> AlexNet:
    """CaffeNet: AlexNet with pooling before normalisation.
    input [N, in_channels, 227, 227] -> [N, classes].

    The decks' table: 62,378,344 parameters, 1,136,549,904 operations
    (with groups=2: conv2/4/5 hold 307,456 / 663,936 / 442,624 parameters).
    """
    _check(num_classes, in_channels, groups, dropout)
    features = _paper_features(in_channels, groups, lrn, pool_first=True)
    return with_input_size(AlexNet(features, 256, num_classes, dropout), in_channels, 227)


@register
def zfnet(num_classes: int = 1000, in_channels: int = 3, lrn: bool = True,
          dropout: float = 0.5) -> AlexNet:
    """ZFNet. input [N, in_channels, 224, 224] -> [N, classes]; 107,627,624 parameters."""
    _check(num_classes, in_channels, 1, dropout)
    features = nn.Sequential(
        nn.Conv2d(in_channels, 96, 7, stride=2, padding=1), nn.ReLU(inplace=True),  # 110x110
        nn.MaxPool2d(3, 2, padding=1), *([_lrn()] if lrn else []),             # 55x55
        nn.Conv2d(96, 256, 5, stride=2), nn.ReLU(inplace=True),                     # 26x26
        nn.MaxPool2d(3, 2, padding=1), *([_lrn()] if lrn else []),             # 13x13
        nn.Conv2d(256, 512, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(512, 1024, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(1024, 512, 3, padding=1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2),                                                         # 6x6
    )
    return with_input_size(AlexNet(features, 512, num_classes, dropout), in_channels, 224)
