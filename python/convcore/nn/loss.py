"""Loss layers, as torch.nn: CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss.

forward(input, target) is one functional call. Class-index targets are
integer NumPy arrays (int64 labels as the DataLoader yields them). Class
weights and pos_weight are buffers, as torch's, so they appear in state
dicts. The deprecated size_average/reduce arguments are folded into
reduction when the loss is built. What it leaves out: the losses convcore
has no op for (L1Loss, BCELoss, HuberLoss, ...).
"""
from __future__ import annotations

import warnings
from typing import Optional

from .. import functional as F
from .._C import Tensor
from ..functional._loss import _reduction
from ._utils import check_real, check_reduction, is_int
from .module import Module


def _as_tensor(value, name: str) -> Optional[Tensor]:
    """A weight argument as a buffer Tensor (copied from an array-like), or None."""
    if value is None or isinstance(value, Tensor):
        return value
    try:
        return Tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name}: expected a Tensor, an array of numbers or None ({error})") from None


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            warnings.warn("size_average and reduce are deprecated; use reduction='none', "
                          "'mean' or 'sum'", UserWarning, stacklevel=3)
        self.reduction = check_reduction(_reduction(size_average, reduce, reduction))


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_tensor(weight, "weight"))


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits. input: [N, C] (or [N, C, d1, ...], or [C]);
    target: int class indices [N] (or [N, d1, ...]) or class probabilities shaped
    like input. Returns a 0-d Tensor (reduction 'mean' or 'sum') or [N, ...] ('none')."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        if not is_int(ignore_index):
            raise TypeError(f"ignore_index: expected an int, got {ignore_index!r}")
        self.ignore_index = int(ignore_index)
        self.label_smoothing = check_real(label_smoothing, "label_smoothing", 0.0, 1.0)

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax).
    input: [N, C]; target: int class indices [N]."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if not is_int(ignore_index):
            raise TypeError(f"ignore_index: expected an int, got {ignore_index!r}")
        self.ignore_index = int(ignore_index)

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error (input - target)^2, reduced. input, target: [...] of one shape."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy in one stable step. input, target: [...] of one
    shape, target in [0, 1]; weight broadcasts to input; pos_weight weighs positives."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None):
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", _as_tensor(pos_weight, "pos_weight"))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
