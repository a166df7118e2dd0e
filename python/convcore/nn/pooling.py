"""Pooling layers, as torch.nn: MaxPool, AvgPool, LPPool, AdaptiveAvgPool and
AdaptiveMaxPool (1D/2D/3D), MaxUnpool1d/2d/3d; and, not in torch,
SpatialPyramidPool2d, MixedPool2d (a learned mix of max and average pooling),
Maxout (max over groups of channels), GlobalAvgPool2d and GlobalMaxPool2d.

Options are checked when the layer is built and stored as given (for repr,
as torch does); forward is one functional call. Shapes: see
convcore.functional._pooling. What it leaves out: FractionalMaxPool.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .. import functional as F
from ._utils import check_bool, check_int, check_real, is_int, ntuple
from .module import Module
from .parameter import Parameter


def _check_window(n, kernel_size, stride, padding, dilation=1) -> None:
    ntuple(kernel_size, n, "kernel_size", 1)
    if stride is not None:
        ntuple(stride, n, "stride", 1)
    ntuple(padding, n, "padding", 0)
    ntuple(dilation, n, "dilation", 1)


# ---------------------------------------------------------------- max

class _MaxPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        _check_window(self._dims, kernel_size, stride, padding, dilation)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = check_bool(return_indices, "return_indices")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """[N, C, L] -> [N, C, L_out]; with return_indices=True also int64 indices."""

    _dims = 1

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """[N, C, H, W] -> [N, C, OH, OW]; with return_indices=True also int64 indices."""

    _dims = 2

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """[N, C, D, H, W] -> [N, C, OD, OH, OW]; with return_indices=True also int64 indices."""

    _dims = 3

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


# ---------------------------------------------------------------- average

class AvgPool1d(Module):
    """[N, C, L] -> [N, C, L_out], the mean of each window."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__()
        _check_window(1, kernel_size, stride, padding)
        # As torch, the 1-D layer keeps its sizes as 1-tuples.
        self.kernel_size = ntuple(kernel_size, 1, "kernel_size")
        self.stride = ntuple(stride if stride is not None else kernel_size, 1, "stride")
        self.padding = ntuple(padding, 1, "padding")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: Optional[int] = None):
        super().__init__()
        _check_window(self._dims, kernel_size, stride, padding)
        if divisor_override is not None and (not is_int(divisor_override) or divisor_override == 0):
            raise ValueError(f"divisor_override: expected a nonzero int or None, got {divisor_override!r}")
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")
        self.divisor_override = divisor_override

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """[N, C, H, W] -> [N, C, OH, OW], the mean of each window."""

    _dims = 2

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool3d(_AvgPoolNd):
    """[N, C, D, H, W] -> [N, C, OD, OH, OW], the mean of each window."""

    _dims = 3

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


# ---------------------------------------------------------------- power average

class _LPPoolNd(Module):
    _dims = 2

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        check_real(norm_type, "norm_type")
        _check_window(self._dims, kernel_size, stride, 0)
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """[N, C, L] -> [N, C, L_out]: (sum of x**p over each window)**(1/p)."""

    _dims = 1

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """[N, C, H, W] -> [N, C, OH, OW]: (sum of x**p over each window)**(1/p)."""

    _dims = 2

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """[N, C, D, H, W] -> [N, C, OD, OH, OW]: (sum of x**p over each window)**(1/p)."""

    _dims = 3

    def forward(self, input):
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


# ---------------------------------------------------------------- adaptive

def _check_output_size(output_size, n: int) -> None:
    items = [output_size] if output_size is None or is_int(output_size) else list(output_size)
    if len(items) not in (1, n) or not all(v is None or (is_int(v) and v >= 1) for v in items):
        raise ValueError(f"output_size: expected a positive int or a tuple of {n} positive ints "
                         f"or None, got {output_size!r}")


class _AdaptiveAvgPoolNd(Module):
    _dims = 2
    _op = None

    def __init__(self, output_size):
        super().__init__()
        _check_output_size(output_size, self._dims)
        self.output_size = output_size

    def forward(self, input):
        return self._op(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """[N, C, L] -> [N, C, output_size]."""
    _dims, _op = 1, staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """[N, C, H, W] -> [N, C, *output_size] (None keeps that input size)."""
    _dims, _op = 2, staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """[N, C, D, H, W] -> [N, C, *output_size]."""
    _dims, _op = 3, staticmethod(F.adaptive_avg_pool3d)


class _AdaptiveMaxPoolNd(Module):
    _dims = 2
    _op = None

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        _check_output_size(output_size, self._dims)
        self.output_size = output_size
        self.return_indices = check_bool(return_indices, "return_indices")

    def forward(self, input):
        return self._op(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """[N, C, L] -> [N, C, output_size]."""
    _dims, _op = 1, staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """[N, C, H, W] -> [N, C, *output_size]."""
    _dims, _op = 2, staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """[N, C, D, H, W] -> [N, C, *output_size]."""
    _dims, _op = 3, staticmethod(F.adaptive_max_pool3d)


# ---------------------------------------------------------------- unpooling

class _MaxUnpoolNd(Module):
    _dims = 2
    _op = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self._dims
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", 1)
        self.stride = ntuple(stride if stride is not None else kernel_size, n, "stride", 1)
        self.padding = ntuple(padding, n, "padding", 0)

    def forward(self, input, indices, output_size: Optional[Sequence[int]] = None):
        """input: [N, C, *spatial] pooled values; indices: the pooling's int64 indices."""
        return self._op(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of MaxPool1d: zeros except at the pooled maxima."""
    _dims, _op = 1, staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d: zeros except at the pooled maxima."""
    _dims, _op = 2, staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of MaxPool3d: zeros except at the pooled maxima."""
    _dims, _op = 3, staticmethod(F.max_unpool3d)


# ---------------------------------------------------------------- not in torch

class SpatialPyramidPool2d(Module):
    """Spatial pyramid pooling (He et al., SPP-net): [N, C, H, W] -> [N, C * sum(l*l)],
    a fixed length whatever H and W; levels pooled adaptively ('max' or 'avg')."""

    def __init__(self, levels: Sequence[int] = (1, 2, 4), mode: str = "max"):
        super().__init__()
        items = [levels] if is_int(levels) else list(levels)
        if not items or not all(is_int(v) and v >= 1 for v in items):
            raise ValueError(f"levels: expected positive ints, got {levels!r}")
        if mode not in ("max", "avg"):
            raise ValueError(f"mode: expected 'max' or 'avg', got {mode!r}")
        self.levels = tuple(int(v) for v in items)
        self.mode = mode

    def forward(self, input):
        return F.spatial_pyramid_pool2d(input, self.levels, self.mode)

    def extra_repr(self) -> str:
        return f"levels={self.levels}, mode={self.mode}"


class MixedPool2d(Module):
    """Mixed pooling: alpha * max_pool2d + (1 - alpha) * avg_pool2d over the same windows.

    [N, C, H, W] -> [N, C, OH, OW]. alpha is a learned one-element Parameter
    (initial value alpha), or a fixed number when learn_alpha=False.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, alpha: float = 0.5, learn_alpha: bool = True):
        super().__init__()
        _check_window(2, kernel_size, stride, padding)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")
        value = check_real(alpha, "alpha")
        if check_bool(learn_alpha, "learn_alpha"):
            self.alpha = Parameter(np.array([value], np.float32))
        else:
            self.alpha = value

    def forward(self, input):
        return F.mixed_pool2d(input, self.kernel_size, self.alpha, self.stride, self.padding,
                              self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        learned = isinstance(self.alpha, Parameter)
        alpha = float(np.asarray(self.alpha).reshape(-1)[0]) if learned else self.alpha
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"alpha={alpha:g}{'' if learned else ', learn_alpha=False'}")


class Maxout(Module):
    """Maxout / feature pooling: [N, C, ...] -> [N, C // groups, ...], output channel j
    the max of input channels j*groups .. (j+1)*groups - 1. Put it after a layer with
    groups times the channels (Goodfellow et al.'s maxout unit is Linear/Conv + Maxout)."""

    def __init__(self, groups: int):
        super().__init__()
        self.groups = check_int(groups, "groups", 1)

    def forward(self, input):
        return F.maxout(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class GlobalAvgPool2d(Module):
    """[N, C, H, W] -> [N, C, 1, 1], the mean of each channel (NiN / GoogLeNet heads)."""

    def forward(self, input):
        return F.global_avg_pool2d(input)


class GlobalMaxPool2d(Module):
    """[N, C, H, W] -> [N, C, 1, 1], the max of each channel."""

    def forward(self, input):
        return F.global_max_pool2d(input)
