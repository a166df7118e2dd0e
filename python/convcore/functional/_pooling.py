"""Pooling (cpp/src/ops/*pool*.cpp, maxout.cpp), with PyTorch's names, signatures and semantics.

Shapes: 1-D ops take [N, C, L], 2-D ops [N, C, H, W], 3-D ops [N, C, D, H, W];
each also takes the input without N (unbatched) and then returns no N.
Output size along a dim (max/avg/lp pooling):
``floor((in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``, rounded
up instead with ``ceil_mode=True`` provided the last window then starts inside
the input or its left padding (PyTorch's rule). ``stride`` defaults to
``kernel_size``; ``padding`` must be at most half of ``kernel_size``.

Indices (``return_indices=True``) are NumPy int64 arrays shaped like the
output, each the flat position of the max inside its input plane (``w``,
``h*W + w`` or ``(d*H + h)*W + w``), as PyTorch returns them; ``max_unpool*``
takes them back. Every op is differentiable.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from .. import _C
from .._C import Tensor

IntOrTuple = Union[int, Sequence[int]]


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _ntuple(value, n: int, name: str):
    """An int or a sequence of n ints -> a list of n ints (PyTorch's _ntuple)."""
    if _is_int(value):
        return [int(value)] * n
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected an int or a tuple of {n} ints, got {value!r}")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name}: expected an int or a tuple of {n} ints, got {value!r}") from None
    if len(items) != n:
        raise ValueError(f"{name}: expected an int or a tuple of {n} ints, got {value!r}")
    if not all(_is_int(v) for v in items):
        raise TypeError(f"{name}: expected an int or a tuple of {n} ints, got {value!r}")
    return [int(v) for v in items]


def _stride(stride, n: int):
    """None (or an empty sequence, as PyTorch allows) -> [] meaning 'kernel_size'."""
    if stride is None:
        return []
    if not _is_int(stride) and hasattr(stride, "__len__") and len(stride) == 0:
        return []
    return _ntuple(stride, n, "stride")


def _spatial_shape(input, n: int):
    shape = tuple(input.shape) if hasattr(input, "shape") else np.shape(input)
    if len(shape) not in (n + 1, n + 2):
        raise ValueError(f"input: expected {n + 1} or {n + 2} dims ([N, C] or [C] followed by "
                         f"{n} spatial dims), got shape {tuple(shape)}")
    return shape[-n:]


def _output_size(input, output_size, n: int):
    """PyTorch's adaptive output_size: an int, or a tuple whose None entries keep the input's size."""
    if output_size is None or _is_int(output_size):
        items = [output_size] * n
    else:
        try:
            items = list(output_size)
        except TypeError:
            raise TypeError(f"output_size: expected an int or a tuple of {n} ints or None, "
                            f"got {output_size!r}") from None
        if len(items) != n:
            raise ValueError(f"output_size: expected an int or a tuple of {n} ints or None, "
                             f"got {output_size!r}")
    if any(v is None for v in items):
        spatial = _spatial_shape(input, n)
        items = [spatial[i] if v is None else v for i, v in enumerate(items)]
    if not all(_is_int(v) for v in items):
        raise TypeError(f"output_size: expected ints or None, got {output_size!r}")
    return [int(v) for v in items]


def _flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_, int)):
        raise TypeError(f"{name}: expected a bool, got {value!r}")
    return bool(value)


# ---------------------------------------------------------------- max

def _max_pool(n, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    return _C.max_pool(input, n, _ntuple(kernel_size, n, "kernel_size"), _stride(stride, n),
                       _ntuple(padding, n, "padding"), _ntuple(dilation, n, "dilation"),
                       _flag(ceil_mode, "ceil_mode"), _flag(return_indices, "return_indices"))


def max_pool1d(input, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over windows of [N, C, L] -> [N, C, L_out], as torch.nn.functional.max_pool1d.

    Padding is -inf. A NaN in a window is the result. With return_indices=True returns
    (output, indices), indices an int64 array of output's shape.
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over windows of [N, C, H, W] -> [N, C, OH, OW], as torch.nn.functional.max_pool2d.

    Padding is -inf. A NaN in a window is the result. With return_indices=True returns
    (output, indices), indices an int64 array of output's shape holding h*W + w.
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Max over windows of [N, C, D, H, W] -> [N, C, OD, OH, OW], as torch.nn.functional.max_pool3d.

    With return_indices=True returns (output, indices), indices holding (d*H + h)*W + w.
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


# ---------------------------------------------------------------- average

def _avg_pool(n, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    if divisor_override is None:
        divisor = 0
    elif _is_int(divisor_override):
        divisor = int(divisor_override)
        if divisor == 0:
            raise ValueError("divisor_override: must be nonzero (or None)")
    else:
        raise TypeError(f"divisor_override: expected an int or None, got {divisor_override!r}")
    return _C.avg_pool(input, n, _ntuple(kernel_size, n, "kernel_size"), _stride(stride, n),
                       _ntuple(padding, n, "padding"), _flag(ceil_mode, "ceil_mode"),
                       _flag(count_include_pad, "count_include_pad"), divisor)


def avg_pool1d(input, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over windows of [N, C, L] -> [N, C, L_out], as torch.nn.functional.avg_pool1d.

    Padding is zeros; a window divides by its size clipped to the padded input
    (count_include_pad=True) or to the input. PyTorch's avg_pool1d has no divisor_override.
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over windows of [N, C, H, W] -> [N, C, OH, OW], as torch.nn.functional.avg_pool2d.

    The divisor of a window: divisor_override if given, else its size clipped to the
    padded input (count_include_pad=True) or to the input.
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over windows of [N, C, D, H, W] -> [N, C, OD, OH, OW], as torch.nn.functional.avg_pool3d."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# ---------------------------------------------------------------- power average

def _lp_pool(n, input, norm_type, kernel_size, stride, ceil_mode):
    if isinstance(norm_type, (bool, np.bool_)) or not isinstance(norm_type, (int, float, np.number)):
        raise TypeError(f"norm_type: expected a real number, got {norm_type!r}")
    return _C.lp_pool(input, n, float(norm_type), _ntuple(kernel_size, n, "kernel_size"),
                      _stride(stride, n), _flag(ceil_mode, "ceil_mode"))


def lp_pool1d(input, norm_type: float, kernel_size: int, stride: Optional[int] = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of [N, C, L] -> [N, C, L_out], as torch.nn.functional.lp_pool1d.

    Each full window gives (sum of x**p)**(1/p) (p = norm_type; p = 2 is L2 pooling, the
    square root of the sum of squares). As PyTorch, it is computed as
    (kernel_size * avg_pool(x**p))**(1/p), so a partial ceil_mode window is scaled by
    kernel_size / its size. No padding. The gradient is 0 where the output is 0.
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type: float, kernel_size: IntOrTuple,
              stride: Optional[IntOrTuple] = None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of [N, C, H, W] -> [N, C, OH, OW], as torch.nn.functional.lp_pool2d.

    Each full window gives (sum of x**p)**(1/p); see lp_pool1d for partial windows.
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type: float, kernel_size: IntOrTuple,
              stride: Optional[IntOrTuple] = None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of [N, C, D, H, W], as torch.nn.functional.lp_pool3d."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------- adaptive and global

def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """[N, C, L] -> [N, C, output_size]: window i covers [floor(i*L/out), ceil((i+1)*L/out))."""
    return _C.adaptive_avg_pool(input, 1, _output_size(input, output_size, 1))


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """[N, C, H, W] -> [N, C, *output_size], as torch.nn.functional.adaptive_avg_pool2d.

    output_size: an int or (oh, ow), None keeping that input size.
    """
    return _C.adaptive_avg_pool(input, 2, _output_size(input, output_size, 2))


def adaptive_avg_pool3d(input, output_size) -> Tensor:
    """[N, C, D, H, W] -> [N, C, *output_size], as torch.nn.functional.adaptive_avg_pool3d."""
    return _C.adaptive_avg_pool(input, 3, _output_size(input, output_size, 3))


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """[N, C, L] -> [N, C, output_size], max over adaptive windows; indices as max_pool1d."""
    return _C.adaptive_max_pool(input, 1, _output_size(input, output_size, 1),
                                _flag(return_indices, "return_indices"))


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """[N, C, H, W] -> [N, C, *output_size], as torch.nn.functional.adaptive_max_pool2d."""
    return _C.adaptive_max_pool(input, 2, _output_size(input, output_size, 2),
                                _flag(return_indices, "return_indices"))


def adaptive_max_pool3d(input, output_size, return_indices: bool = False):
    """[N, C, D, H, W] -> [N, C, *output_size], as torch.nn.functional.adaptive_max_pool3d."""
    return _C.adaptive_max_pool(input, 3, _output_size(input, output_size, 3),
                                _flag(return_indices, "return_indices"))


def global_avg_pool2d(input) -> Tensor:
    """Global average pooling (NiN, GoogLeNet and ResNet heads): [N, C, H, W] -> [N, C, 1, 1].

    The mean of each channel plane; the same as adaptive_avg_pool2d(input, 1).
    """
    return _C.global_avg_pool2d(input)


def global_max_pool2d(input) -> Tensor:
    """Global max pooling: [N, C, H, W] -> [N, C, 1, 1], the max of each channel plane.

    The same as adaptive_max_pool2d(input, 1).
    """
    return _C.global_max_pool2d(input)


# ---------------------------------------------------------------- unpooling

def _max_unpool(n, input, indices, kernel_size, stride, padding, output_size):
    if output_size is None:
        size = []
    else:
        items = list(output_size)
        if len(items) == n + 2:  # PyTorch also takes a full [N, C, *spatial] size
            items = items[2:]
        if len(items) != n or not all(_is_int(v) for v in items):
            raise ValueError(f"output_size: expected {n} ints (or {n + 2} with N and C), "
                             f"got {output_size!r}")
        size = [int(v) for v in items]
    return _C.max_unpool(input, indices, n, _ntuple(kernel_size, n, "kernel_size"),
                         _stride(stride, n), _ntuple(padding, n, "padding"), size)


def max_unpool1d(input, indices, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
                 padding: IntOrTuple = 0, output_size: Optional[Sequence[int]] = None) -> Tensor:
    """Partial inverse of max_pool1d: [N, C, L] with its indices -> [N, C, L_out], zeros elsewhere.

    L_out = (L - 1)*stride - 2*padding + kernel_size, or output_size (within +-stride of it).
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
                 padding: IntOrTuple = 0, output_size: Optional[Sequence[int]] = None) -> Tensor:
    """Partial inverse of max_pool2d, as torch.nn.functional.max_unpool2d.

    input: [N, C, H, W]; indices: max_pool2d's, of input's shape. Returns
    [N, C, OH, OW], zero except out[n, c].flat[indices[n, c, i, j]] = input[n, c, i, j]
    (a position named twice keeps the last value). OH = (H - 1)*stride - 2*padding +
    kernel_size unless output_size (2 ints, or 4 with N and C) says otherwise.
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size: IntOrTuple, stride: Optional[IntOrTuple] = None,
                 padding: IntOrTuple = 0, output_size: Optional[Sequence[int]] = None) -> Tensor:
    """Partial inverse of max_pool3d: [N, C, D, H, W] -> [N, C, OD, OH, OW]."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# ---------------------------------------------------------------- pyramid, mixed, maxout

def spatial_pyramid_pool2d(input, levels: Sequence[int] = (1, 2, 4), mode: str = "max") -> Tensor:
    """Spatial pyramid pooling (He et al., SPP-net): [N, C, H, W] -> [N, C * sum(l*l)].

    The length depends only on C and the levels, never on H, W. For each level l, in
    order, input is adaptively pooled to l x l (mode 'max' or 'avg') and flattened
    channel-major ([C, l, l]); the levels are concatenated:
    ``cat([adaptive_pool(input, l).flatten(1) for l in levels], dim=1)``.
    """
    items = [levels] if _is_int(levels) else list(levels)
    if not all(_is_int(v) for v in items):
        raise TypeError(f"levels: expected ints, got {levels!r}")
    if not isinstance(mode, str):
        raise TypeError(f"mode: expected 'max' or 'avg', got {mode!r}")
    return _C.spatial_pyramid_pool2d(input, [int(v) for v in items], mode)


def mixed_pool2d(input, kernel_size: IntOrTuple, alpha, stride: Optional[IntOrTuple] = None,
                 padding: IntOrTuple = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> Tensor:
    """Mixed pooling: alpha * max_pool2d(input) + (1 - alpha) * avg_pool2d(input).

    input: [N, C, H, W] -> [N, C, OH, OW], both poolings over the same windows (the
    average with count_include_pad). alpha: a number, or a one-element Tensor; a Tensor
    that requires grad learns (its gradient is sum(grad * (max - avg))). alpha is not
    clamped to [0, 1].
    """
    return _C.mixed_pool2d(input, alpha, _ntuple(kernel_size, 2, "kernel_size"),
                           _stride(stride, 2), _ntuple(padding, 2, "padding"),
                           _flag(ceil_mode, "ceil_mode"),
                           _flag(count_include_pad, "count_include_pad"))


def maxout(input, groups: int) -> Tensor:
    """Maxout / feature pooling: [N, C, ...] -> [N, C // groups, ...].

    Output channel j is the max over the consecutive input channels
    j*groups .. (j+1)*groups - 1, i.e. ``input.view(N, C // groups, groups, ...).max(2)``.
    C must be a multiple of groups. Ties and NaN go to the first channel (as torch.max).
    """
    if not _is_int(groups):
        raise TypeError(f"groups: expected an int, got {groups!r}")
    return _C.maxout(input, int(groups))
