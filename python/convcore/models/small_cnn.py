"""The decks' small convolutional network (SPEC sections 5 and 6).

conv(5, 32) ReLU, max-pool 2, conv(5, 64) ReLU, max-pool 2, fc 100 ReLU,
fc num_classes; softmax lives in the loss. On 28x28x1 (MNIST) and 32x32x3
(CIFAR-10) it gives the parameter table of SPEC section 6 exactly.
"""
from __future__ import annotations

from .. import nn
from .registry import register


def _side_after(size: int, kernel_size: int, padding: int) -> int:
    conv1 = size + 2 * padding - kernel_size + 1
    conv2 = conv1 // 2 + 2 * padding - kernel_size + 1
    return conv2 // 2


@register
def small_cnn(num_classes: int = 10, in_channels: int = 1, input_size: int = 28,
              channels=(32, 64), hidden: int = 100, kernel_size: int = 5,
              padding: int = 0) -> nn.Sequential:
    """input [N, in_channels, input_size, input_size] -> logits [N, num_classes].

    The decks use no padding; inputs smaller than 16 pixels (scikit-learn's
    8x8 digits) need padding=kernel_size // 2 to keep a spatial map.
    """
    side = _side_after(input_size, kernel_size, padding)
    if side < 1:
        raise ValueError(f"input_size: {input_size} leaves no spatial map with kernel_size="
                         f"{kernel_size} and padding={padding}; use padding={kernel_size // 2}")
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(in_channels, c1, kernel_size, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, kernel_size, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * side * side, hidden), nn.ReLU(),
        nn.Linear(hidden, num_classes),
    )
