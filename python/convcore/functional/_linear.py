"""The fully connected layer (cpp/src/ops/linear.cpp)."""
from __future__ import annotations

from .. import _C
from .._C import Tensor


def linear(input, weight, bias=None) -> Tensor:
    """input @ weight.T + bias, as torch.nn.functional.linear.

    input: [..., in_features]; weight: [out_features, in_features];
    bias: [out_features] or None. Returns [..., out_features].
    """
    return _C.linear(input, weight, bias)


def linear_backward(grad_output, input, weight, output_mask=(True, True, True)):
    """(grad_input, grad_weight, grad_bias) of linear; None where masked off."""
    mask = tuple(bool(m) for m in output_mask)
    if len(mask) != 3:
        raise ValueError(f"output_mask: expected three booleans, got {output_mask!r}")
    return _C.linear_backward(grad_output, input, weight, mask)
