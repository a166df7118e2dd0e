"""Differentiable operations, with PyTorch's names, signatures and semantics.

Every function accepts convcore Tensors or NumPy arrays (float32 C-contiguous
arrays are used without a copy; other array-likes are converted) and returns
Tensors. One module per family of operations; this package gathers them.
"""
from ._activation import leaky_relu, log_softmax, scaled_tanh, sigmoid, softmax, tanh
from ._conv import conv2d, conv2d_backward, pad
from ._dropout import dropout, dropout2d
from ._linear import linear, linear_backward
from ._loss import binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss
from ._norm import batch_norm, local_response_norm
from ._tensor_ops import (
    add, div, exp, flatten, log, matmul, mean, mul, neg, permute, pow, relu, reshape, sub,
    sum, transpose,
)

__all__ = [
    "conv2d", "conv2d_backward", "pad",
    "add", "sub", "mul", "div", "neg", "matmul", "pow", "exp", "log", "relu",
    "sum", "mean", "reshape", "flatten", "transpose", "permute",
    "leaky_relu", "sigmoid", "tanh", "scaled_tanh", "softmax", "log_softmax",
    "batch_norm", "local_response_norm", "dropout", "dropout2d", "linear", "linear_backward",
    "cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "mse_loss",
]
