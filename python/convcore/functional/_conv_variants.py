"""Convolution variants: 1D and 3D convolution, transposed convolution in 1D,
2D and 3D, and conv2d with a sparse connection table (cpp/src/ops/conv1d.cpp,
conv3d*.cpp, conv_transpose.cpp, conv_connection_table.cpp, pad3d.cpp).

Names, signatures and defaults follow torch.nn.functional; padding also
takes per-side tuples, as conv2d does.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .. import _C
from .._C import Tensor
from ._args import _conv2d_padding, _pair

IntOrTuple = Union[int, Sequence[int]]
Grads = Tuple[Optional[Tensor], Optional[Tensor], Optional[Tensor]]


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _ntuple(value: IntOrTuple, n: int, name: str) -> Tuple[int, ...]:
    """An int repeated n times, or a sequence of n ints."""
    what = "an int" if n == 1 else f"an int or a tuple of {n} ints"
    if _is_int(value):
        return (int(value),) * n
    if isinstance(value, (bool, str)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name}: expected {what}, got {value!r}")
    items = tuple(value)
    if len(items) != n or not all(_is_int(v) for v in items):
        raise ValueError(f"{name}: expected {what}, got {value!r}")
    return tuple(int(v) for v in items)


def _string_padding(padding: str, zeros: Tuple[int, ...]):
    if padding == "valid":
        return zeros, False
    if padding == "same":
        return zeros, True
    raise ValueError(f"padding: expected 'valid', 'same', an int or a tuple of ints, got {padding!r}")


def _conv1d_padding(padding) -> Tuple[Tuple[int, int], bool]:
    """(left, right), same? from an int, (p,), (left, right), 'valid' or 'same'."""
    if isinstance(padding, str):
        return _string_padding(padding, (0, 0))
    if not _is_int(padding) and hasattr(padding, "__len__") and len(padding) == 2:
        return _ntuple(padding, 2, "padding"), False  # type: ignore[return-value]
    (p,) = _ntuple(padding, 1, "padding")
    return (p, p), False


def _conv3d_padding(padding) -> Tuple[Tuple[int, ...], bool]:
    """(left, right, top, bottom, front, back), same? from an int, (pd, ph, pw),
    a 6-tuple as torch.nn.functional.pad, 'valid' or 'same'."""
    if isinstance(padding, str):
        return _string_padding(padding, (0,) * 6)
    if not _is_int(padding) and hasattr(padding, "__len__") and len(padding) == 6:
        return _ntuple(padding, 6, "padding"), False
    pd, ph, pw = _ntuple(padding, 3, "padding")
    return (pw, pw, ph, ph, pd, pd), False


def _mask(output_mask) -> Tuple[bool, bool, bool]:
    mask = tuple(bool(m) for m in output_mask)
    if len(mask) != 3:
        raise ValueError(f"output_mask: expected three booleans, got {output_mask!r}")
    return mask  # type: ignore[return-value]


def _groups(groups) -> int:
    if not _is_int(groups):
        raise TypeError(f"groups: expected an int, got {groups!r}")
    return int(groups)


# ---------------------------------------------------------------- conv1d

def conv1d(input, weight, bias=None, stride: IntOrTuple = 1, padding=0, dilation: IntOrTuple = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """1D cross-correlation over an NCL batch, as torch.nn.functional.conv1d.

    input: [N, C, L]; weight: [K, C/groups, R]; bias: [K] or None.
    padding: an int, (left, right), 'valid' or 'same' (stride 1; for an even
    kernel the extra pixel goes right). padding_mode: 'zeros', 'reflect',
    'replicate' or 'circular'.
    Returns [N, K, OL], OL = floor((L + left + right - dilation*(R-1) - 1) / stride) + 1.
    Runs on conv2d with a unit height (no copy).
    """
    pad2, same = _conv1d_padding(padding)
    (s,), (d,) = _ntuple(stride, 1, "stride"), _ntuple(dilation, 1, "dilation")
    return _C.conv1d(input, weight, bias, s, pad2, d, _groups(groups), padding_mode, same)


def conv1d_backward(grad_output, input, weight, stride: IntOrTuple = 1, padding=0,
                    dilation: IntOrTuple = 1, groups: int = 1, padding_mode: str = "zeros",
                    output_mask: Sequence[bool] = (True, True, True)) -> Grads:
    """Gradients (grad_input, grad_weight, grad_bias) of conv1d; None where masked off.

    grad_output: [N, K, OL]; input: [N, C, L]; weight: [K, C/groups, R].
    """
    pad2, same = _conv1d_padding(padding)
    (s,), (d,) = _ntuple(stride, 1, "stride"), _ntuple(dilation, 1, "dilation")
    return _C.conv1d_backward(grad_output, input, weight, s, pad2, d, _groups(groups), padding_mode,
                              same, _mask(output_mask))


# ---------------------------------------------------------------- conv3d

def conv3d(input, weight, bias=None, stride: IntOrTuple = 1, padding=0, dilation: IntOrTuple = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """3D cross-correlation over an NCDHW batch, as torch.nn.functional.conv3d.

    input: [N, C, D, H, W]; weight: [K, C/groups, T, R, S]; bias: [K] or None.
    padding: an int, (pad_d, pad_h, pad_w), (left, right, top, bottom, front,
    back), 'valid' or 'same' (stride 1; for an even kernel the extra pixel goes
    right/bottom/back). padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
    Returns [N, K, OD, OH, OW], OD = floor((D + front + back - dilation_d*(T-1) - 1) / stride_d) + 1.
    """
    pad6, same = _conv3d_padding(padding)
    return _C.conv3d(input, weight, bias, _ntuple(stride, 3, "stride"), pad6,
                     _ntuple(dilation, 3, "dilation"), _groups(groups), padding_mode, same)


def conv3d_backward(grad_output, input, weight, stride: IntOrTuple = 1, padding=0,
                    dilation: IntOrTuple = 1, groups: int = 1, padding_mode: str = "zeros",
                    output_mask: Sequence[bool] = (True, True, True)) -> Grads:
    """Gradients (grad_input, grad_weight, grad_bias) of conv3d; None where masked off.

    grad_output: [N, K, OD, OH, OW]; input: [N, C, D, H, W]; weight: [K, C/groups, T, R, S].
    """
    pad6, same = _conv3d_padding(padding)
    return _C.conv3d_backward(grad_output, input, weight, _ntuple(stride, 3, "stride"), pad6,
                              _ntuple(dilation, 3, "dilation"), _groups(groups), padding_mode, same,
                              _mask(output_mask))


# ---------------------------------------------------------------- transposed

def conv_transpose1d(input, weight, bias=None, stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """1D transposed convolution, as torch.nn.functional.conv_transpose1d.

    input: [N, C_in, L]; weight: [C_in, C_out/groups, R]; bias: [C_out] or None.
    Returns [N, C_out, OL], OL = (L-1)*stride - 2*padding + dilation*(R-1) + 1 + output_padding;
    output_padding must be smaller than stride or dilation.
    """
    (s,), (p,) = _ntuple(stride, 1, "stride"), _ntuple(padding, 1, "padding")
    (op,), (d,) = _ntuple(output_padding, 1, "output_padding"), _ntuple(dilation, 1, "dilation")
    return _C.conv_transpose1d(input, weight, bias, s, p, op, _groups(groups), d)


def conv_transpose2d(input, weight, bias=None, stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """2D transposed convolution ("learnable upsampling"), as torch.nn.functional.conv_transpose2d.

    input: [N, C_in, H, W]; weight: [C_in, C_out/groups, R, S]; bias: [C_out] or None.
    Returns [N, C_out, OH, OW], OH = (H-1)*stride_h - 2*padding_h + dilation_h*(R-1) + 1
    + output_padding_h (likewise OW); output_padding must be smaller than stride or dilation.
    """
    return _C.conv_transpose2d(input, weight, bias, _ntuple(stride, 2, "stride"),
                               _ntuple(padding, 2, "padding"),
                               _ntuple(output_padding, 2, "output_padding"), _groups(groups),
                               _ntuple(dilation, 2, "dilation"))


def conv_transpose3d(input, weight, bias=None, stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """3D transposed convolution, as torch.nn.functional.conv_transpose3d.

    input: [N, C_in, D, H, W]; weight: [C_in, C_out/groups, T, R, S]; bias: [C_out] or None.
    Returns [N, C_out, OD, OH, OW], OD = (D-1)*stride_d - 2*padding_d + dilation_d*(T-1) + 1
    + output_padding_d (likewise OH, OW).
    """
    return _C.conv_transpose3d(input, weight, bias, _ntuple(stride, 3, "stride"),
                               _ntuple(padding, 3, "padding"),
                               _ntuple(output_padding, 3, "output_padding"), _groups(groups),
                               _ntuple(dilation, 3, "dilation"))


# ---------------------------------------------------------------- connection table

def conv2d_connection_table(input, weight, connection_table, bias=None, stride: IntOrTuple = 1,
                            padding=0, dilation: IntOrTuple = 1, groups: int = 1,
                            padding_mode: str = "zeros") -> Tensor:
    """conv2d in which output channel k reads input channel c only where
    connection_table[k, c] is true (LeNet-5's S2 -> C3 wiring).

    input: [N, C, H, W]; weight: [K, C/groups, R, S]; connection_table: a
    boolean (or 0/1) array of shape (K, C/groups); other arguments as conv2d.
    Unconnected kernels take no part in the output and receive a gradient of
    exactly zero. Returns [N, K, OH, OW].
    """
    table = np.asarray(connection_table)
    if table.dtype != np.bool_ and table.dtype.kind not in "iu":
        raise TypeError(f"connection_table: expected a boolean or 0/1 integer array, got dtype {table.dtype}")
    if table.ndim != 2:
        raise ValueError(f"connection_table: expected a 2-D (out_channels, in_channels) array, "
                         f"got shape {table.shape}")
    if table.dtype != np.bool_ and not np.isin(table, (0, 1)).all():
        raise ValueError("connection_table: expected only 0 and 1 (or booleans)")
    pad4, same = _conv2d_padding(padding)
    return _C.conv2d_connection_table(input, weight, np.ascontiguousarray(table, dtype=np.uint8), bias,
                                      _pair(stride, "stride"), pad4, _pair(dilation, "dilation"),
                                      _groups(groups), padding_mode, same)
