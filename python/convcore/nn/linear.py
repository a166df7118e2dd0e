"""Linear, Identity, Flatten and Unflatten, as torch.nn.

Linear's default initialisation is torch's: weight kaiming_uniform_(a=sqrt(5)),
bias U(-1/sqrt(in_features), 1/sqrt(in_features)). What it leaves out:
Bilinear and LazyLinear.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import functional as F
from . import init
from ._utils import check_bool, check_device_dtype, check_int, is_int
from .module import Module
from .parameter import Parameter


class Identity(Module):
    """Returns its input; any constructor arguments are ignored, as torch's."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b. input: [..., in_features] -> [..., out_features];
    weight [out_features, in_features], bias [out_features]."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        check_device_dtype(device, dtype)
        self.in_features = check_int(in_features, "in_features", 0)
        self.out_features = check_int(out_features, "out_features", 0)
        self.weight = Parameter(np.empty((out_features, in_features), np.float32))
        if check_bool(bias, "bias"):
            self.bias = Parameter(np.empty((out_features,), np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_weight_and_bias_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Merge dims start_dim..end_dim: [N, C, H, W] -> [N, C*H*W] by default (no copy)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        if not is_int(start_dim) or not is_int(end_dim):
            raise TypeError(f"start_dim, end_dim: expected ints, got {start_dim!r}, {end_dim!r}")
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)

    def forward(self, input):
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim into unflattened_size: [N, 784] -> [N, 1, 28, 28] with
    Unflatten(1, (1, 28, 28)) (no copy). One entry may be -1."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]):
        super().__init__()
        if not is_int(dim):
            raise TypeError(f"dim: expected an int, got {dim!r}")
        if is_int(unflattened_size) or not all(is_int(v) for v in unflattened_size):
            raise TypeError(f"unflattened_size: expected a tuple of ints, got {unflattened_size!r}")
        self.dim = int(dim)
        self.unflattened_size = tuple(int(v) for v in unflattened_size)

    def forward(self, input):
        shape = list(input.shape)
        dim = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= dim < len(shape):
            raise ValueError(f"dim: {self.dim} is out of range for an input of shape {tuple(shape)}")
        return F.reshape(input, shape[:dim] + list(self.unflattened_size) + shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
