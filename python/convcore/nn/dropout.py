"""Dropout layers, as torch.nn: Dropout (elements) and Dropout2d (whole channels).

In training mode each call draws a new mask from convcore's random stream
(convcore.manual_seed); in eval mode they return the input unchanged.
inplace=True is accepted for ported code but computes out of place.
"""
from __future__ import annotations

from .. import functional as F
from ._utils import check_bool, check_real
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        check_real(p, "p")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p: dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = check_bool(inplace, "inplace")

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p, scale the rest by 1 / (1 - p). [...] -> [...]."""

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole channels with probability p: [N, C, H, W] (or [N, C, L]), one draw per (n, c)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)
