"""Differentiable operations, with PyTorch's names, signatures and semantics.

Every function accepts convcore Tensors or NumPy arrays (float32 C-contiguous
arrays are used without a copy; other array-likes are converted) and returns
Tensors. One module per family of operations; this package gathers them.
"""
from ._conv import conv2d, conv2d_backward, pad
from ._conv_variants import (
    conv1d, conv1d_backward, conv2d_connection_table, conv3d, conv3d_backward, conv_transpose1d,
    conv_transpose2d, conv_transpose3d,
)
from ._tensor_ops import (
    add, div, exp, flatten, log, matmul, mean, mul, neg, permute, pow, relu, reshape, sub,
    sum, transpose,
)

__all__ = [
    "conv2d", "conv2d_backward", "pad",
    "conv1d", "conv1d_backward", "conv3d", "conv3d_backward",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "conv2d_connection_table",
    "add", "sub", "mul", "div", "neg", "matmul", "pow", "exp", "log", "relu",
    "sum", "mean", "reshape", "flatten", "transpose", "permute",
]
