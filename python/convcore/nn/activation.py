"""Activation layers, as torch.nn: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, Softmax,
LogSoftmax, and LeNet-5's ScaledTanh (1.7159 tanh(2x/3), not in torch).

inplace=True is accepted so that ported code (torchvision's ReLU(inplace=True))
runs unchanged, and shown in repr, but the result is always a new tensor:
convcore ops never overwrite their input. What it leaves out: the rest of
torch's activation zoo (ELU, GELU, ...), which has no convcore op yet.
"""
from __future__ import annotations

from typing import Optional

from .. import functional as F
from ._utils import check_bool, check_real, is_int
from .module import Module


class ReLU(Module):
    """max(x, 0). input: [...] -> [...]."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardtanh(Module):
    """min(max(x, min_val), max_val). input: [...] -> [...]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if not min_val <= max_val:
            raise ValueError(f"min_val: must not exceed max_val, got {min_val} > {max_val}")
        self.min_val, self.max_val = float(min_val), float(max_val)
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + \
            (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) (MobileNet v2). input: [...] -> [...]."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x. input: [...] -> [...]."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = check_real(negative_slope, "negative_slope")
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + exp(-x)). input: [...] -> [...]."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x). input: [...] -> [...]."""

    def forward(self, input):
        return F.tanh(input)


class ScaledTanh(Module):
    """LeNet-5's squashing function 1.7159 * tanh(2x / 3). input: [...] -> [...]."""

    def forward(self, input):
        return F.scaled_tanh(input)


def _check_dim(dim) -> Optional[int]:
    if dim is not None and not is_int(dim):
        raise TypeError(f"dim: expected an int or None, got {dim!r}")
    return None if dim is None else int(dim)


class Softmax(Module):
    """exp(x) / sum(exp(x)) along dim. input: [...] -> [...]. dim=None takes torch's
    legacy choice (with its warning)."""

    def __init__(self, dim: Optional[int] = None):
        super().__init__()
        self.dim = _check_dim(dim)

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along dim, computed stably. input: [...] -> [...]."""

    def __init__(self, dim: Optional[int] = None):
        super().__init__()
        self.dim = _check_dim(dim)

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
