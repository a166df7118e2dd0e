"""Small helpers shared by the zoo's files: option checks and initialisation.

What it leaves out: the layers themselves (each family builds its own, so
that its state-dict names follow torchvision's where torchvision has it).
"""
from __future__ import annotations

from numbers import Integral, Real

from .. import nn


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value!r}")
    return int(value)


def check_width(value, name: str = "width") -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}")
    return float(value)


def check_probability(value, name: str = "dropout") -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"{name}: expected a probability in [0, 1), got {value!r}")
    return float(value)


def check_choice(value, name: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def scaled(channels: int, width: float) -> int:
    """A layer's channel count times the width multiplier, at least 1."""
    return max(1, int(channels * width))


def with_input_size(model: nn.Module, in_channels: int, size: int):
    """Record the input the model is designed for, [C, size, size] without the batch:
    convcore.summary's default."""
    model.default_input_size = (in_channels, size, size)
    return model


def init_conv_fc(model: nn.Module, linear_std: float = None) -> None:
    """torchvision's scheme for conv nets: He-normal convolutions (fan_out), zero
    biases, batch norm 1 and 0; linear layers N(0, linear_std) with zero bias, or
    torch's default U(+-1/sqrt(fan_in)) when linear_std is None. (torchvision's
    N(0, 0.01) for VGG suits 4096-wide layers only: at width 64 it starves the
    gradients of the layers below.)"""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear) and linear_std is not None:
            nn.init.normal_(m.weight, 0.0, linear_std)
            nn.init.zeros_(m.bias)
