"""Differentiable operations, with PyTorch's names, signatures and semantics.

Every function accepts convcore Tensors or NumPy arrays (float32 C-contiguous
arrays are used without a copy; other array-likes are converted) and returns
Tensors.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from . import _C
from ._C import Tensor

IntOrPair = Union[int, Sequence[int]]
Padding2d = Union[int, str, Sequence[int]]

__all__ = [
    "conv2d", "conv2d_backward", "pad",
    "add", "sub", "mul", "div", "neg", "matmul", "pow", "exp", "log", "relu",
    "sum", "mean", "reshape", "flatten", "transpose", "permute",
]


def _pair(value: IntOrPair, name: str) -> Tuple[int, int]:
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        return (value, value)
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f"{name}: expected an int or a pair of ints, got {value!r}") from None
    if len(items) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ValueError(f"{name}: expected an int or a pair of ints, got {value!r}")
    return items  # type: ignore[return-value]


def _conv2d_padding(padding: Padding2d) -> Tuple[Tuple[int, int, int, int], bool]:
    """(left, right, top, bottom), same? from PyTorch's padding forms plus per-side tuples."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0), False
        if padding == "same":
            return (0, 0, 0, 0), True
        raise ValueError(f"padding: expected 'valid', 'same', an int, a pair or "
                         f"(left, right, top, bottom), got {padding!r}")
    if not isinstance(padding, int) and len(tuple(padding)) == 4:
        items = tuple(padding)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            raise ValueError(f"padding: expected ints, got {padding!r}")
        return items, False  # type: ignore[return-value]
    ph, pw = _pair(padding, "padding")
    return (pw, pw, ph, ph), False


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
    """Pad the last two dimensions of an NCHW tensor; pad = (left, right, top, bottom)."""
    items = tuple(pad)
    if len(items) == 2:
        items = items + (0, 0)
    if len(items) != 4:
        raise ValueError(f"pad: expected (left, right) or (left, right, top, bottom), got {pad!r}")
    return _C.pad2d(input, items, mode, float(value))


# ---- tensor operations (cpp/src/ops/{elementwise,reduce,matmul,shape_ops}.cpp) ----
# Operands may be Tensors, Python numbers or array-likes; broadcasting and
# matmul follow NumPy.

def add(input, other) -> Tensor:
    """input + other, broadcast."""
    return _C.add(input, other)


def sub(input, other) -> Tensor:
    """input - other, broadcast."""
    return _C.sub(input, other)


def mul(input, other) -> Tensor:
    """input * other, broadcast."""
    return _C.mul(input, other)


def div(input, other) -> Tensor:
    """input / other, broadcast."""
    return _C.div(input, other)


def neg(input) -> Tensor:
    return _C.neg(input)


def matmul(input, other) -> Tensor:
    """numpy.matmul: [..., M, K] @ [..., K, N] -> [..., M, N]; 1-D operands as NumPy."""
    return _C.matmul(input, other)


def pow(input, exponent: float) -> Tensor:  # noqa: A001 - PyTorch's name
    """input ** exponent for a real-number exponent."""
    return _C.pow(input, float(exponent))


def exp(input) -> Tensor:
    return _C.exp(input)


def log(input) -> Tensor:
    return _C.log(input)


def relu(input) -> Tensor:
    return _C.relu(input)


def sum(input, dim: Union[None, int, Sequence[int]] = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Sum over every element (dim=None) or over dim(s); keepdim keeps them as size 1."""
    return _C.sum(input, dim, bool(keepdim))


def mean(input, dim: Union[None, int, Sequence[int]] = None, keepdim: bool = False) -> Tensor:
    """Mean over every element (dim=None) or over dim(s); keepdim keeps them as size 1."""
    return _C.mean(input, dim, bool(keepdim))


def reshape(input, shape: Sequence[int]) -> Tensor:
    """The same memory under a new shape; one entry may be -1."""
    return _C.reshape(input, list(shape))


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one (same memory)."""
    return _C.flatten(input, start_dim, end_dim)


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """A contiguous copy with dim0 and dim1 swapped."""
    return _C.transpose(input, dim0, dim1)


def permute(input, dims: Sequence[int]) -> Tensor:
    """A contiguous copy whose dim i is input's dim dims[i]."""
    return _C.permute(input, list(dims))
