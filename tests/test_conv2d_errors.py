"""Bad arguments to conv2d raise ValueError/TypeError naming the argument."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F

X = np.zeros((2, 4, 8, 8), np.float32)
W = np.zeros((6, 4, 3, 3), np.float32)


@pytest.mark.parametrize("kwargs, exc, fragment", [
    (dict(input=np.zeros((4, 8, 8), np.float32)), ValueError, "input must be 4-D"),
    (dict(weight=np.zeros((6, 4, 3), np.float32)), ValueError, "weight must be 4-D"),
    (dict(weight=np.zeros((6, 3, 3, 3), np.float32)), ValueError, "weight.shape[1]"),
    (dict(groups=3), ValueError, "divisible by groups"),
    (dict(weight=np.zeros((6, 2, 3, 3), np.float32), groups=2, input=np.zeros((2, 4, 8, 8), np.float32), bias=np.zeros(5, np.float32)), ValueError, "bias must have shape [6]"),
    (dict(weight=np.zeros((5, 2, 3, 3), np.float32), groups=2), ValueError, "output channels"),
    (dict(groups=0), ValueError, "groups must be positive"),
    (dict(stride=0), ValueError, "stride must be positive"),
    (dict(stride=(1, -1)), ValueError, "stride must be positive"),
    (dict(dilation=0), ValueError, "dilation must be positive"),
    (dict(padding=-1), ValueError, "padding must be non-negative"),
    (dict(padding=(0, 0, -1, 0)), ValueError, "padding must be non-negative"),
    (dict(weight=np.zeros((6, 4, 9, 9), np.float32)), ValueError, "kernel spans 9"),
    (dict(dilation=5), ValueError, "kernel spans 11"),
    (dict(padding="same", stride=2), ValueError, "'same' is only supported with stride 1"),
    (dict(padding="full"), ValueError, "padding: expected 'valid', 'same'"),
    (dict(padding_mode="mirror", padding=1), ValueError, "padding_mode"),
    (dict(padding_mode="reflect", padding=8), ValueError, "reflect padding must be smaller"),
    (dict(stride=(1, 2, 3)), ValueError, "stride"),
    (dict(stride=1.5), TypeError, "stride"),
    (dict(input="not an array"), TypeError, "input"),
    (dict(input=np.zeros((2, 4, 8, 8), np.complex64)), TypeError, "real numbers"),
    (dict(weight=None), TypeError, "weight"),
])
def test_bad_arguments(kwargs, exc, fragment):
    args = dict(input=X, weight=W)
    args.update(kwargs)
    with pytest.raises(exc) as info:
        F.conv2d(**args)
    assert fragment in str(info.value)


def test_backward_checks_grad_output_shape():
    with pytest.raises(ValueError, match=r"grad_output must have the output's shape \[2, 6, 6, 6\]"):
        F.conv2d_backward(np.zeros((2, 6, 5, 5), np.float32), X, W)


def test_from_numpy_refuses_copies():
    with pytest.raises(TypeError, match="float32"):
        cc.from_numpy(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="C-contiguous"):
        cc.from_numpy(np.zeros((4, 4), np.float32)[:, ::2])


def test_non_contiguous_and_other_dtypes_are_converted_by_functional(rng):
    x = rng.standard_normal((1, 2, 6, 10))
    w = rng.standard_normal((3, 2, 3, 3))
    strided = x[:, :, :, ::2]  # float64 and non-contiguous: functional copies
    got = np.asarray(F.conv2d(strided, w))
    want = np.asarray(F.conv2d(np.ascontiguousarray(strided, np.float32), w.astype(np.float32)))
    np.testing.assert_array_equal(got, want)


def test_too_many_dimensions():
    with pytest.raises(ValueError, match="at most 5 dimensions"):
        cc.tensor(np.zeros((1,) * 6, np.float32))
