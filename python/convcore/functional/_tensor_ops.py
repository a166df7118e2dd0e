"""Tensor operations (cpp/src/ops/{elementwise,reduce,matmul,shape_ops}.cpp).

Operands may be Tensors, Python numbers or array-likes; broadcasting and
matmul follow NumPy.
"""
from __future__ import annotations

from typing import Sequence, Union

from .. import _C
from .._C import Tensor


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


def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate tensors [..., c_i, ...] (equal outside dim) -> [..., sum c_i, ...], as
    torch.cat: each piece is copied once into its slice, and gets its slice of the gradient."""
    return _C.cat(tensors, dim)
