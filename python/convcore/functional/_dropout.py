"""Dropout (cpp/src/ops/dropout.cpp), drawn from convcore's random stream
(convcore.manual_seed): the same seed gives the same masks at any thread count."""
from __future__ import annotations

from .. import _C
from .._C import Tensor
from ._args import _no_inplace


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p).

    input: [...] -> [...]. training=False returns input unchanged. p must be
    in [0, 1] (ValueError otherwise).
    """
    _no_inplace(inplace)
    out = _C.dropout(input, float(p), bool(training))  # checks p in either mode
    return input if not training and isinstance(input, Tensor) else out


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: input [N, C, ...] (at least 2-D), one draw per (n, c).

    As torch's dropout2d on 4-D input, and on 3-D input [N, C, L] (which
    torch also treats channel-wise, with a warning).
    """
    _no_inplace(inplace)
    out = _C.dropout2d(input, float(p), bool(training))
    return input if not training and isinstance(input, Tensor) else out
