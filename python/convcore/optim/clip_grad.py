"""Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_
(and get_total_norm): in place on the parameters' ``.grad``, skipping
parameters without one. The norm (float64 sums over fixed chunks, so it does
not depend on the thread count), the scaling and the clamping run in C++
(convcore/ops/optim.h).

Differences from torch: the total norm comes back as a Python float, not a
tensor; norm_type must be > 0 or inf; a negative max_norm or clip_value is a
ValueError. ``foreach`` is accepted and changes nothing.
"""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Union

from .. import _C
from .._C import Tensor

_Params = Union[Tensor, Iterable[Tensor]]


def _grads(parameters: _Params, fn: str) -> List[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: parameters must be Tensors, but item {i} is a "
                            f"{type(p).__name__}")
    return [p.grad for p in params if p.grad is not None]


def _norm_type(norm_type: Any, fn: str) -> float:
    try:
        return float(norm_type)  # also 'inf'
    except (TypeError, ValueError) as e:
        raise TypeError(f"{fn}: norm_type must be a number or 'inf', got {norm_type!r}") from e


def get_total_norm(tensors: _Params, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> float:
    """The norm of all the tensors' values together (the norm of their norms)."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not ts:
        return 0.0
    norm = _C.total_norm(ts, _norm_type(norm_type, "get_total_norm"))
    if error_if_nonfinite and not (norm == norm and abs(norm) != float("inf")):
        raise RuntimeError(f"get_total_norm: the total norm of order {norm_type} is "
                           f"non-finite ({norm})")
    return norm


def clip_grad_norm_(parameters: _Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> float:
    """Scale the gradients together so that their total norm is at most
    max_norm (by max_norm / (norm + 1e-6) when above); returns the total norm
    before clipping. error_if_nonfinite: RuntimeError on a NaN or infinite
    norm instead of clipping (a NaN norm otherwise makes every gradient NaN)."""
    grads = _grads(parameters, "clip_grad_norm_")
    return _C.clip_grad_norm_(grads, float(max_norm), _norm_type(norm_type, "clip_grad_norm_"),
                              bool(error_if_nonfinite))


def clip_grad_value_(parameters: _Params, clip_value: float,
                     foreach: Optional[bool] = None) -> None:
    """Clamp every gradient value into [-clip_value, clip_value]."""
    grads = _grads(parameters, "clip_grad_value_")
    _C.clip_grad_value_(grads, float(clip_value))
