"""Normalisation layers, as torch.nn: BatchNorm1d/2d/3d and LocalResponseNorm.

BatchNorm keeps torch's parameters (weight, bias) and buffers (running_mean,
running_var, num_batches_tracked) under torch's names and in torch's order,
so torch state dicts load. num_batches_tracked is a 0-d float32 buffer
(convcore tensors are float32). In training mode it normalises with the batch
statistics and updates the running ones; in eval mode it uses the running
ones (the batch ones when track_running_stats=False). momentum=None is
torch's cumulative average, momentum = 1 / num_batches_tracked.
What it leaves out: SyncBatchNorm, GroupNorm, LayerNorm, InstanceNorm.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import functional as F
from .._C import Tensor
from ._utils import check_bool, check_device_dtype, check_int, check_real
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    _input_dims = (4,)  # allowed input ranks

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True):
        super().__init__()
        check_device_dtype(device, dtype)
        self.num_features = check_int(num_features, "num_features", 1)
        self.eps = check_real(eps, "eps", 0.0)
        self.momentum = None if momentum is None else check_real(momentum, "momentum", 0.0, 1.0)
        self.affine = check_bool(affine, "affine")
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats")
        self.has_bias = check_bool(bias, "bias") and self.affine
        c = self.num_features
        if self.affine:
            self.weight = Parameter(np.ones(c, np.float32))
            if self.has_bias:
                self.bias = Parameter(np.zeros(c, np.float32))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(c, np.float32)))
            self.register_buffer("running_var", Tensor(np.ones(c, np.float32)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), np.float32)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            np.asarray(self.running_mean)[...] = 0.0
            np.asarray(self.running_var)[...] = 1.0
            np.asarray(self.num_batches_tracked)[...] = 0.0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            np.asarray(self.weight)[...] = 1.0
        if self.bias is not None:
            np.asarray(self.bias)[...] = 0.0

    def forward(self, input, *, residual=None, relu: bool = False):
        """input: [N, C, ...] -> the same shape. residual and relu (convcore's
        own, not torch's): relu(bn(input) + residual) in one pass, as
        functional.batch_norm."""
        ndim = len(input.shape) if hasattr(input, "shape") else np.ndim(input)
        if ndim not in self._input_dims:
            expected = " or ".join(f"{d}D" for d in self._input_dims)
            raise ValueError(f"input: {type(self).__name__} expected {expected} input, "
                             f"got {ndim}D input")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            count = np.asarray(self.num_batches_tracked)
            count[...] += 1.0
            if self.momentum is None:
                momentum = 1.0 / float(count)
        # Batch statistics while training, and always when there are no running ones.
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, momentum, self.eps, residual=residual, relu=relu)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.has_bias}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of [N, C] or [N, C, L] per channel C = num_features."""
    _input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of [N, C, H, W] per channel C = num_features."""
    _input_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of [N, C, D, H, W] per channel C = num_features."""
    _input_dims = (5,)


class LocalResponseNorm(Module):
    """Across-channel local response normalisation (AlexNet: size=5, alpha=1e-4,
    beta=0.75, k=2). input: [N, C, ...] -> the same shape."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size = check_int(size, "size", 1)
        self.alpha = check_real(alpha, "alpha")
        self.beta = check_real(beta, "beta")
        self.k = check_real(k, "k")

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
