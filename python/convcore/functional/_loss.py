"""Losses (cpp/src/ops/loss_class.cpp, loss_elementwise.cpp), as torch.nn.functional.

Class-index targets are integer arrays (NumPy int64, or anything integer);
a Tensor or a floating-point array as cross_entropy's target holds class
probabilities shaped like the input. reduction is 'none', 'mean' or 'sum';
the deprecated size_average/reduce arguments are honoured as PyTorch does.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _C
from .._C import Tensor


def _reduction(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> str:
    # PyTorch's legacy_get_string: either legacy argument overrides reduction.
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _is_class_indices(target) -> bool:
    if isinstance(target, Tensor):
        return False  # Tensors are float32: probabilities
    if isinstance(target, np.ndarray):
        kind = target.dtype.kind
    else:
        kind = np.asarray(target).dtype.kind
    if kind == "b":
        raise TypeError("target: expected integer class indices or float class probabilities, "
                        "got a boolean array")
    return kind in "iu"


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy on logits: nll_loss(log_softmax(input, 1), target).

    input: [N, C], [N, C, d1, ...] or [C] (unbatched).
    target: class indices [N], [N, d1, ...] or a scalar, each in [0, C) or
    equal to ignore_index; or class probabilities shaped like input.
    weight: [C] or None. label_smoothing in [0, 1] mixes the target with the
    uniform distribution. Returns [N, d1, ...] for reduction='none', else a
    0-d Tensor; 'mean' divides by the summed weight of the non-ignored
    targets (indices) or by the number of samples (probabilities).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if _is_class_indices(target):
        return _C.cross_entropy_indices(input, np.asarray(target), weight, int(ignore_index),
                                        reduction, float(label_smoothing))
    return _C.cross_entropy_probs(input, target, weight, reduction, float(label_smoothing))


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: -weight[t] * input[n, t].

    input: [N, C], [N, C, d1, ...] or [C]; target: integer class indices
    [N], [N, d1, ...] or a scalar; weight: [C] or None. 'mean' divides by
    the summed weight of the targets that are not ignore_index.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not _is_class_indices(target):
        raise TypeError("target: nll_loss expects integer class indices (e.g. a NumPy int64 array)")
    return _C.nll_loss(input, np.asarray(target), weight, int(ignore_index), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step.

    input, target: [...] of the same shape (target in [0, 1]); weight
    broadcasts to input's shape; pos_weight (e.g. [C]) weighs the positive
    term: loss = weight * ((1 - y) x + (1 + (pos_weight - 1) y) log(1 + e^-x)).
    """
    reduction = _reduction(size_average, reduce, reduction)
    return _C.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """(input - target)^2, reduced. Shapes that differ are broadcast (PyTorch warns; so do we).

    weight: input's shape or None; with it, 'mean' is sum(weight * se) / sum(weight).
    """
    reduction = _reduction(size_average, reduce, reduction)
    in_shape = getattr(input, "shape", None)
    t_shape = getattr(target, "shape", None)
    if in_shape is not None and t_shape is not None and tuple(in_shape) != tuple(t_shape):
        import warnings
        warnings.warn(f"Using a target size ({tuple(t_shape)}) that is different to the input "
                      f"size ({tuple(in_shape)}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=2)
    return _C.mse_loss(input, target, reduction, weight)
