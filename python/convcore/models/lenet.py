"""LeNet-5 (LeCun et al. 1998) and its common modern variant.

C1 conv(5, 6), S2 subsample 2, C3 conv(5, 16) (dense, or the paper's sparse
table with sparse_c3=True: 1,516 parameters instead of 2,416), S4 subsample
2, C5 conv(5, 120), F6 fc 84, output fc num_classes; scaled tanh
1.7159 tanh(2x/3) after C1, C3, C5 and F6. Subsampling is average pooling
(the paper's trainable coefficient and bias per map are left out, as the
decks count S2/S4 with 0 parameters); the output layer is a linear layer
feeding the softmax loss, not the paper's RBF units. activation="relu",
pooling="max" gives the common variant. 28x28 inputs (MNIST) get C1
padding 2, which is what the paper's 32x32 frame around the digits does.
"""
from __future__ import annotations

from .. import nn
from .registry import register


@register
def lenet5(num_classes: int = 10, in_channels: int = 1, input_size: int = 32,
           sparse_c3: bool = False, activation: str = "tanh",
           pooling: str = "avg") -> nn.Sequential:
    """input [N, in_channels, input_size, input_size] (32, or 28 padded to 32) -> [N, classes]."""
    if input_size not in (28, 32):
        raise ValueError(f"input_size: LeNet-5 takes 32x32 images (or 28x28, padded by 2), "
                         f"got {input_size}")
    acts = {"tanh": nn.ScaledTanh, "relu": nn.ReLU}
    pools = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}
    if activation not in acts:
        raise ValueError(f"activation: expected 'tanh' or 'relu', got {activation!r}")
    if pooling not in pools:
        raise ValueError(f"pooling: expected 'avg' or 'max', got {pooling!r}")
    act, pool = acts[activation], pools[pooling]
    c3 = (nn.ConnectionTableConv2d(6, 16, 5, nn.lenet5_c3_table()) if sparse_c3
          else nn.Conv2d(6, 16, 5))
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=(32 - input_size) // 2), act(),  # C1 [N, 6, 28, 28]
        pool(2),                                                              # S2 [N, 6, 14, 14]
        c3, act(),                                                            # C3 [N, 16, 10, 10]
        pool(2),                                                              # S4 [N, 16, 5, 5]
        nn.Conv2d(16, 120, 5), act(),                                         # C5 [N, 120, 1, 1]
        nn.Flatten(),
        nn.Linear(120, 84), act(),                                            # F6
        nn.Linear(84, num_classes),                                           # output
    )
