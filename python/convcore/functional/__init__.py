"""Differentiable operations, with PyTorch's names, signatures and semantics.

Every function accepts convcore Tensors or NumPy arrays (float32 C-contiguous
arrays are used without a copy; other array-likes are converted) and returns
Tensors. One module per family of operations; this package gathers them.
"""
from ._activation import (
    hardtanh, leaky_relu, log_softmax, relu6, scaled_tanh, sigmoid, softmax, tanh,
)
from ._conv import conv2d, conv2d_algorithm, conv2d_backward, pad
from ._conv_variants import (
    conv1d, conv1d_backward, conv2d_connection_table, conv3d, conv3d_backward, conv_transpose1d,
    conv_transpose2d, conv_transpose3d,
)
from ._pooling import (
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d,
    adaptive_max_pool2d, adaptive_max_pool3d, avg_pool1d, avg_pool2d, avg_pool3d,
    global_avg_pool2d, global_max_pool2d, lp_pool1d, lp_pool2d, lp_pool3d, max_pool1d, max_pool2d,
    max_pool3d, max_unpool1d, max_unpool2d, max_unpool3d, maxout, mixed_pool2d,
    spatial_pyramid_pool2d,
)
from ._dropout import dropout, dropout2d
from ._linear import linear, linear_backward
from ._loss import binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss
from ._norm import batch_norm, local_response_norm
from ._tensor_ops import (
    add, cat, div, exp, flatten, log, matmul, mean, mul, neg, permute, pow, relu, reshape, sub,
    sum, transpose,
)

__all__ = [
    "conv2d", "conv2d_algorithm", "conv2d_backward", "pad",
    "conv1d", "conv1d_backward", "conv3d", "conv3d_backward",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "conv2d_connection_table",
    "add", "cat", "sub", "mul", "div", "neg", "matmul", "pow", "exp", "log", "relu",
    "sum", "mean", "reshape", "flatten", "transpose", "permute",
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "global_avg_pool2d", "global_max_pool2d", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "spatial_pyramid_pool2d", "mixed_pool2d", "maxout",
    "leaky_relu", "hardtanh", "relu6", "sigmoid", "tanh", "scaled_tanh", "softmax", "log_softmax",
    "batch_norm", "local_response_norm", "dropout", "dropout2d", "linear", "linear_backward",
    "cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "mse_loss",
]
