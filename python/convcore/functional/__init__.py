"""Differentiable operations, with PyTorch's names, signatures and semantics.

Every function accepts convcore Tensors or NumPy arrays (float32 C-contiguous
arrays are used without a copy; other array-likes are converted) and returns
Tensors. One module per family of operations; this package gathers them.
"""
from ._conv import conv2d, conv2d_backward, pad
from ._tensor_ops import (
    add, div, exp, flatten, log, matmul, mean, mul, neg, permute, pow, relu, reshape, sub,
    sum, transpose,
)

__all__ = [
    "conv2d", "conv2d_backward", "pad",
    "add", "sub", "mul", "div", "neg", "matmul", "pow", "exp", "log", "relu",
    "sum", "mean", "reshape", "flatten", "transpose", "permute",
]
