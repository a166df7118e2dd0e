"""conv_transpose1d/2d/3d forward and every gradient against the float64
NumPy reference (scatter form, straight from the definition) on every
instruction-set level, against torch 2.13.0, by finite differences; the
SPEC's upsampling examples and output-size formula; the adjoint relation
with the convolution; and the errors bad arguments raise."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import conv_nd_reference as ref

FN = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}

# (N, C_in, spatial, C_out, kernel, stride, padding, output_padding, groups, dilation)
CASES = [
    (2, 3, (7,), 4, (3,), 1, 0, 0, 1, 1),
    (1, 4, (9,), 6, (4,), 3, 1, 2, 2, 1),                      # stride 3, output_padding 2, groups
    (2, 2, (5,), 2, (3,), 1, 1, 2, 2, 3),                      # output_padding >= stride (< dilation)
    (2, 3, (4, 5), 4, (3, 3), 1, 0, 0, 1, 1),
    (1, 4, (5, 4), 6, (3, 2), (2, 3), (1, 0), (1, 2), 2, (1, 2)),  # everything per dimension
    (3, 4, (6, 6), 4, (3, 3), 2, 1, 1, 4, 1),                  # depthwise transposed
    (2, 8, (4, 4), 16, (1, 1), 1, 0, 0, 1, 1),                 # 1x1
    (1, 2, (3, 3), 3, (3, 3), 2, 2, 1, 1, 2),                  # padding eats into the output
    (2, 3, (3, 4, 3), 4, (3, 2, 3), 1, 0, 0, 1, 1),
    (1, 4, (3, 3, 4), 6, (3, 3, 2), (2, 1, 2), (1, 1, 0), (1, 0, 1), 2, (1, 2, 1)),
    (1, 2, (2, 3, 2), 2, (2, 2, 2), 1, 1, 2, 1, 3),            # 3D output_padding >= stride
]


def _tuple(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def _data(case, rng):
    N, Cin, spatial, Cout, kernel, stride, padding, op, groups, dilation = case
    nd = len(spatial)
    x = rng.standard_normal((N, Cin) + spatial).astype(np.float32)
    w = rng.standard_normal((Cin, Cout // groups) + kernel).astype(np.float32)
    b = rng.standard_normal(Cout).astype(np.float32)
    kw = dict(stride=stride, padding=padding, output_padding=op, groups=groups, dilation=dilation)
    rkw = dict(stride=_tuple(stride, nd), padding=_tuple(padding, nd), output_padding=_tuple(op, nd),
               groups=groups, dilation=_tuple(dilation, nd))
    return nd, x, w, b, kw, rkw


@pytest.mark.parametrize("case", CASES)
def test_conv_transpose_against_reference(isa, rng, case):
    nd, x, w, b, kw, rkw = _data(case, rng)
    xt, wt, bt = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    y = FN[nd](xt, wt, bt, **kw)
    expected = ref.conv_transpose_nd(x, w, b, **rkw)
    assert y.shape == expected.shape
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(expected.shape).astype(np.float32)
    (y * cc.tensor(dy)).sum().backward()
    rkw.pop("output_padding")
    rdx, rdw, rdb = ref.conv_transpose_nd_backward(dy, x, w, **rkw)
    for got, want in ((xt.grad, rdx), (wt.grad, rdw), (bt.grad, rdb)):
        assert got.shape == want.shape
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=2e-4)
    assert f"ConvTranspose{nd}dBackward" in str(y.grad_fn)


@pytest.mark.parametrize("case", CASES)
def test_conv_transpose_against_torch(check_torch, torch, case, rng):
    nd, x, w, b, kw, _ = _data(case, rng)
    tfn = getattr(torch.nn.functional, f"conv_transpose{nd}d")
    check_torch(lambda x, w, b: FN[nd](x, w, b, **kw), lambda x, w, b: tfn(x, w, b, **kw), [x, w, b])


def test_conv_transpose_finite_differences(rng):
    x, w, b = rng.standard_normal((1, 2, 3, 2)), rng.standard_normal((2, 2, 2, 3)), rng.standard_normal(2)
    kw = dict(stride=(2, 1), padding=(0, 1), output_padding=(1, 0))
    xs = [cc.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    y = F.conv_transpose2d(*xs, **kw)
    weight = rng.standard_normal(y.shape)
    (y * cc.tensor(weight.astype(np.float32))).sum().backward()
    numeric = ref.numeric_grads(lambda x, w, b: ref.conv_transpose_nd(x, w, b, **kw), [x, w, b], weight)
    for t, g in zip(xs, numeric):
        np.testing.assert_allclose(np.asarray(t.grad), g, rtol=1e-3, atol=1e-3)


# ---------------------------------------------------------------- SPEC section 1

def test_upsampling_examples():
    x = np.ones((1, 1, 2, 2), np.float32)
    w = np.ones((1, 1, 3, 3), np.float32)
    assert F.conv_transpose2d(x, w).shape == (1, 1, 4, 4)             # 2x2 -> 4x4 at s=1
    y = F.conv_transpose2d(x, w, stride=2)
    assert y.shape == (1, 1, 5, 5)                                    # 2x2 -> 5x5 at s=2
    # Each input pixel stamps the 3x3 kernel at 2*i; stamps overlap on the middle row/column.
    edge, middle = [1, 1, 2, 1, 1], [2, 2, 4, 2, 2]
    np.testing.assert_array_equal(np.asarray(y)[0, 0], [edge, edge, middle, edge, edge])


@pytest.mark.parametrize("n,r,s,p,d,op", [(2, 3, 1, 0, 1, 0), (2, 3, 2, 0, 1, 0), (5, 4, 3, 1, 1, 2),
                                          (4, 3, 1, 1, 2, 1), (1, 1, 2, 0, 1, 1), (7, 5, 2, 3, 2, 0),
                                          (5, 3, 1, 3, 1, 0)])  # the last: padding leaves 1 output
def test_output_size_formula(n, r, s, p, d, op):
    y = F.conv_transpose1d(np.ones((1, 1, n), np.float32), np.ones((1, 1, r), np.float32), stride=s,
                           padding=p, output_padding=op, dilation=d)
    assert y.shape[-1] == s * (n - 1) + d * (r - 1) + 1 - 2 * p + op


def test_transpose_is_the_adjoint_of_conv(rng):
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)>: the forward of the
    transposed convolution is the input gradient of the convolution."""
    x = rng.standard_normal((2, 4, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    kw = dict(stride=2, padding=1, dilation=1, groups=2)
    y = np.asarray(F.conv2d(x, w, **kw))
    g = rng.standard_normal(y.shape).astype(np.float32)
    back = np.asarray(F.conv_transpose2d(g, w, output_padding=(0, 1), **kw))
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(y * g, dtype=np.float64), np.sum(x * back, dtype=np.float64), rtol=1e-4)
    dx, _, _ = F.conv2d_backward(g, x, w, **kw)
    np.testing.assert_allclose(back, np.asarray(dx), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- errors

_X = np.zeros((1, 4, 5, 5), np.float32)
_W = np.zeros((4, 3, 3, 3), np.float32)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.conv_transpose2d(np.zeros((4, 5, 5), np.float32), _W), ValueError, "input must be 4-D"),
    (lambda: F.conv_transpose2d(_X, np.zeros((4, 3, 3), np.float32)), ValueError, "weight must be 4-D"),
    (lambda: F.conv_transpose2d(_X, np.zeros((3, 3, 3, 3), np.float32)), ValueError, r"weight.shape\[0\]"),
    (lambda: F.conv_transpose2d(_X, _W, stride=0), ValueError, "stride must be positive"),
    (lambda: F.conv_transpose2d(_X, _W, dilation=(1, 0)), ValueError, "dilation must be positive"),
    (lambda: F.conv_transpose2d(_X, _W, padding=-1), ValueError, "padding must be non-negative"),
    (lambda: F.conv_transpose2d(_X, _W, output_padding=-1), ValueError, "output_padding must be non-negative"),
    (lambda: F.conv_transpose2d(_X, _W, stride=2, output_padding=2), ValueError, "smaller than either stride"),
    (lambda: F.conv_transpose2d(_X, _W, output_padding=1), ValueError, "smaller than either stride"),
    (lambda: F.conv_transpose2d(_X, _W, groups=0), ValueError, "groups must be positive"),
    (lambda: F.conv_transpose2d(_X, _W, groups=3), ValueError, "divisible by groups"),
    (lambda: F.conv_transpose2d(_X, _W, np.zeros(4, np.float32)), ValueError, "bias must have shape"),
    (lambda: F.conv_transpose2d(_X, _W, padding=4), ValueError, "at least 1"),
    (lambda: F.conv_transpose2d(_X, _W, stride=(1, 2, 3)), ValueError, "stride"),
    (lambda: F.conv_transpose2d(_X, _W, padding="same"), TypeError, "padding"),
    (lambda: F.conv_transpose1d(np.zeros((1, 4, 5), np.float32), np.zeros((4, 3, 3), np.float32),
                                stride=1, output_padding=1), ValueError, "output_padding"),
    (lambda: F.conv_transpose3d(_X, np.zeros((4, 3, 3, 3, 3), np.float32)), ValueError, "input must be 5-D"),
    (lambda: F.conv_transpose3d(np.zeros((1, 4, 3, 3, 3), np.float32), np.zeros((4, 3, 0, 3, 3), np.float32)),
     ValueError, "non-zero sizes"),
])
def test_conv_transpose_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
