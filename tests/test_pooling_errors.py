"""Every bad argument of the pooling ops raises ValueError or TypeError with a
message naming the argument (and never crashes)."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F

X = np.ones((1, 2, 6, 6), np.float32)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.max_pool2d(X, 0), ValueError, "kernel_size must be positive"),
    (lambda: F.max_pool2d(X, 2, stride=0), ValueError, "stride must be positive"),
    (lambda: F.max_pool2d(X, 2, padding=-1), ValueError, "padding must be non-negative"),
    (lambda: F.max_pool2d(X, 3, padding=2), ValueError, "padding must be at most half of kernel_size"),
    (lambda: F.max_pool2d(X, 2, dilation=0), ValueError, "dilation must be positive"),
    (lambda: F.max_pool2d(X, 7), ValueError, r"max_pool2d: input of spatial size \[6, 6\] is too small"),
    (lambda: F.max_pool2d(X, (2, 2, 2)), ValueError, "kernel_size: expected an int or a tuple of 2"),
    (lambda: F.max_pool2d(X, 2.5), TypeError, "kernel_size"),
    (lambda: F.max_pool2d(X, 2, stride="2"), TypeError, "stride"),
    (lambda: F.max_pool2d(X[0, 0], 2), ValueError, r"input must be \[N, C, H, W\] or \[C, H, W\]"),
    (lambda: F.max_pool1d(X, 2), ValueError, r"max_pool1d: input must be \[N, C, W\]"),
    (lambda: F.max_pool2d(np.ones((1, 0, 4, 4), np.float32), 2), ValueError, "positive number of channels"),
    (lambda: F.max_pool2d(np.ones((1, 1, 0, 4), np.float32), 2), ValueError, "positive spatial"),
    (lambda: F.max_pool2d("abc", 2), TypeError, "input"),
    (lambda: F.max_pool3d(X[None], 2, ceil_mode="yes"), TypeError, "ceil_mode"),
    (lambda: F.avg_pool2d(X, 2, divisor_override=0), ValueError, "divisor_override"),
    (lambda: F.avg_pool2d(X, 2, divisor_override=1.5), TypeError, "divisor_override"),
    (lambda: F.avg_pool2d(X, 4, padding=3), ValueError, "padding must be at most half"),
    (lambda: F.avg_pool1d(X[0], 0), ValueError, "avg_pool1d: kernel_size must be positive"),
    (lambda: F.avg_pool3d(X[0, 0], 2), ValueError, r"avg_pool3d: input must be \[N, C, D, H, W\]"),
    (lambda: F.lp_pool2d(X, 0, 2), ValueError, "norm_type must be a finite nonzero"),
    (lambda: F.lp_pool2d(X, float("inf"), 2), ValueError, "norm_type"),
    (lambda: F.lp_pool2d(X, "2", 2), TypeError, "norm_type"),
    (lambda: F.lp_pool1d(X[0], 2, 9), ValueError, "lp_pool1d: input of spatial size"),
    (lambda: F.adaptive_avg_pool2d(X, -1), ValueError, "output_size must be non-negative"),
    (lambda: F.adaptive_avg_pool2d(X, (2, 2, 2)), ValueError, "output_size"),
    (lambda: F.adaptive_max_pool2d(X, 2.0), TypeError, "output_size"),
    (lambda: F.adaptive_max_pool1d(X, 2), ValueError, "adaptive_max_pool1d: input must be"),
    (lambda: F.global_avg_pool2d(X[0, 0]), ValueError, r"global_avg_pool2d: input must be \[N, C, H, W\]"),
    (lambda: F.global_max_pool2d(X[0, 0, 0]), ValueError, "global_max_pool2d: input"),
    (lambda: F.spatial_pyramid_pool2d(X, (1, 0)), ValueError, "every level must be a positive"),
    (lambda: F.spatial_pyramid_pool2d(X, ()), ValueError, "levels must hold at least one"),
    (lambda: F.spatial_pyramid_pool2d(X, (1, 2.0)), TypeError, "levels"),
    (lambda: F.spatial_pyramid_pool2d(X, mode="sum"), ValueError, "mode: expected 'max' or 'avg'"),
    (lambda: F.mixed_pool2d(X, 2, cc.tensor(np.ones(2, np.float32))), ValueError, "alpha must be a number or a one-element"),
    (lambda: F.mixed_pool2d(X, 2, "half"), TypeError, "alpha"),
    (lambda: F.mixed_pool2d(X, 3, 0.5, padding=2), ValueError, "mixed_pool2d: padding must be at most half"),
    (lambda: F.mixed_pool2d(X[0, 0], 2, 0.5), ValueError, "mixed_pool2d: input must be"),
    (lambda: F.maxout(X, 4), ValueError, r"channel count 2 must be a multiple of groups \(4\)"),
    (lambda: F.maxout(X, 0), ValueError, "groups must be positive"),
    (lambda: F.maxout(X, 1.0), TypeError, "groups"),
    (lambda: F.maxout(X[0, 0, 0], 1), ValueError, r"maxout: input must be \[N, C, ...\]"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def pooled():
    x = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    return F.max_pool2d(x, 2, return_indices=True)


def test_max_unpool_errors():
    y, i = pooled()
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 36\)"):
        F.max_unpool2d(y, i * 100, 2)
    with pytest.raises(ValueError, match="indices: must have the shape of input"):
        F.max_unpool2d(y, i[..., :2], 2)
    with pytest.raises(TypeError, match="indices: expected an integer array"):
        F.max_unpool2d(y, i.astype(np.float32), 2)
    with pytest.raises(ValueError, match="output_size along spatial dim 0 must lie strictly between 4 and 8"):
        F.max_unpool2d(y, i, 2, output_size=(8, 6))
    with pytest.raises(ValueError, match="output_size: expected 2 ints"):
        F.max_unpool2d(y, i, 2, output_size=(6, 6, 6))
    with pytest.raises(ValueError, match="output size along spatial dim 0 would be 0"):
        F.max_unpool2d(np.ones((1, 1, 1, 1), np.float32), np.zeros((1, 1, 1, 1), np.int64), 2,
                       padding=1)
    with pytest.raises(ValueError, match="max_unpool2d: kernel_size must be positive"):
        F.max_unpool2d(y, i, 0)


def test_explicit_backward_errors():
    y, i = pooled()
    g = np.ones((1, 1, 3, 3), np.float32)
    with pytest.raises(ValueError, match="indices: must have the shape of grad_output"):
        cc._C.max_pool_backward(g, i[..., :1], [1, 1, 6, 6], 2)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 4\)"):
        cc._C.max_pool_backward(g, i, [1, 1, 2, 2], 2)
    with pytest.raises(ValueError, match="same leading dims"):
        cc._C.max_pool_backward(g, i, [2, 1, 6, 6], 2)
    with pytest.raises(ValueError, match=r"grad_output must have shape \[1, 1, 3, 3\]"):
        cc._C.avg_pool_backward(np.ones((1, 1, 2, 2), np.float32), [1, 1, 6, 6], 2, [2], [], [0],
                                False, True, 0)
    with pytest.raises(ValueError, match="dims must be 1, 2 or 3"):
        cc._C.adaptive_avg_pool_backward(g, [1, 1, 6, 6], 4)
    with pytest.raises(ValueError, match=r"maxout_backward: grad_output must have shape \[1, 1, 6, 6\]"):
        cc._C.maxout_backward(g, np.ones((1, 2, 6, 6), np.float32), 2)
