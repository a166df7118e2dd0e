"""Activations (cpp/src/ops/activation.cpp, softmax.cpp), as torch.nn.functional.

Every function takes a Tensor or an array-like of any shape and returns a
new Tensor of the same shape; gradients flow through all of them.
"""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from .. import _C
from .._C import Tensor
from ._args import _no_inplace


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x. input: [...] -> [...]."""
    _no_inplace(inplace)
    return _C.leaky_relu(input, float(negative_slope))


def sigmoid(input) -> Tensor:
    """1 / (1 + exp(-x)). input: [...] -> [...]."""
    return _C.sigmoid(input)


def tanh(input) -> Tensor:
    """Hyperbolic tangent. input: [...] -> [...]."""
    return _C.tanh(input)


def scaled_tanh(input) -> Tensor:
    """LeNet-5's squashing function 1.7159 * tanh(2x / 3). input: [...] -> [...].

    Not in PyTorch; the constants are LeCun et al. (1998)'s, chosen so that
    f(1) = 1 and f(-1) = -1.
    """
    return _C.scaled_tanh(input)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """min(max(x, min_val), max_val), as torch.nn.functional.hardtanh. input: [...] -> [...].

    The gradient passes where min_val < x < max_val (0 at the bounds, as torch).
    """
    _no_inplace(inplace)
    return _C.hardtanh(input, float(min_val), float(max_val))


def relu6(input, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) (MobileNet v2), as torch.nn.functional.relu6: hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _softmax_dim(name: str, ndim: int) -> int:
    # PyTorch's legacy rule for dim=None, with its warning.
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def _ndim(input) -> int:
    return input.ndim if hasattr(input, "ndim") else _C.tensor(input).ndim


def _check_dtype(dtype) -> None:
    if dtype is None:
        return
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = str(dtype).replace("torch.", "")  # torch.float32 and the like
    if name != "float32":
        raise TypeError(f"dtype: convcore computes in float32 only, got {dtype!r}")


def softmax(input, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along dim (max subtracted first: no overflow).

    input: [...] -> [...]; dim may be negative. dim=None picks PyTorch's
    legacy default (0 for 0-, 1- and 3-D inputs, else 1) with a warning.
    dtype: None or float32 (the only dtype).
    """
    _check_dtype(dtype)
    if dim is None:
        dim = _softmax_dim("softmax", _ndim(input))
    return _C.softmax(input, int(dim))


def log_softmax(input, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """(x - max) - log(sum(exp(x - max))) along dim. input: [...] -> [...]."""
    _check_dtype(dtype)
    if dim is None:
        dim = _softmax_dim("log_softmax", _ndim(input))
    return _C.log_softmax(input, int(dim))
