"""Convolution and padding (cpp/src/ops/conv2d*.cpp, pad.cpp)."""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

from .. import _C
from .._C import Tensor
from ._args import IntOrPair, Padding2d, _conv2d_padding, _pair


def conv2d(input, weight, bias=None, stride: IntOrPair = 1, padding: Padding2d = 0,
           dilation: IntOrPair = 1, groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """2D cross-correlation over an NCHW batch, as torch.nn.functional.conv2d.

    input: [N, C, H, W]; weight: [K, C/groups, R, S]; bias: [K] or None.
    padding: an int, (pad_h, pad_w), (left, right, top, bottom), 'valid' or
    'same' (stride 1; for an even kernel the extra pixel goes right/bottom).
    padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
    Returns [N, K, OH, OW], OH = floor((H + top + bottom - dilation_h*(R-1) - 1) / stride_h) + 1.
    """
    pad4, same = _conv2d_padding(padding)
    return _C.conv2d(input, weight, bias, _pair(stride, "stride"), pad4,
                     _pair(dilation, "dilation"), int(groups), padding_mode, same)


def conv2d_algorithm(input_shape: Sequence[int], weight_shape: Sequence[int], stride: IntOrPair = 1,
                     padding: Padding2d = 0, dilation: IntOrPair = 1, groups: int = 1) -> str:
    """The algorithm conv2d's forward pass would take for these shapes, with
    the current instruction set, threads and Winograd setting: 'dense',
    'depthwise', 'pointwise', 'direct' (output channels along the vector
    lanes), 'direct_rows' (output positions along them), 'padded_gemm',
    'implicit_gemm' or 'winograd' (docs/ARCHITECTURE.md says when each is
    chosen)."""
    pad4, same = _conv2d_padding(padding)
    return _C.conv2d_algorithm([int(d) for d in input_shape], [int(d) for d in weight_shape],
                               _pair(stride, "stride"), pad4, _pair(dilation, "dilation"), int(groups), same)


def conv2d_backward(grad_output, input, weight, stride: IntOrPair = 1, padding: Padding2d = 0,
                    dilation: IntOrPair = 1, groups: int = 1, padding_mode: str = "zeros",
                    output_mask: Sequence[bool] = (True, True, True)
                    ) -> Tuple[Optional[Tensor], Optional[Tensor], Optional[Tensor]]:
    """Gradients (grad_input, grad_weight, grad_bias) of conv2d; None where masked off."""
    pad4, same = _conv2d_padding(padding)
    mask = tuple(bool(m) for m in output_mask)
    if len(mask) != 3:
        raise ValueError(f"output_mask: expected three booleans, got {output_mask!r}")
    return _C.conv2d_backward(grad_output, input, weight, _pair(stride, "stride"), pad4,
                              _pair(dilation, "dilation"), int(groups), padding_mode, same, mask)


def pad(input, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last two dimensions of an NCHW tensor, pad = (left, right, top, bottom),
    or the last three of an NCDHW tensor, pad = (left, right, top, bottom, front, back)."""
    items = tuple(pad)
    if len(items) == 6:
        return _C.pad3d(input, items, mode, float(value))
    if len(items) == 2:
        items = items + (0, 0)
    if len(items) != 4:
        raise ValueError(f"pad: expected (left, right), (left, right, top, bottom) or "
                         f"(left, right, top, bottom, front, back), got {pad!r}")
    return _C.pad2d(input, items, mode, float(value))
