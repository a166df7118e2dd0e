"""conv1d forward and every gradient against the float64 NumPy reference on
every instruction-set level, against torch 2.13.0, by finite differences, the
1D worked example of SPEC section 7 (item 6), and the errors bad arguments raise."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import conv_nd_reference as ref

# (N, C, L, K, R, stride, padding, dilation, groups)
CASES = [
    (2, 3, 11, 5, 3, 1, 0, 1, 1),          # odd length, valid
    (1, 4, 16, 6, 3, 2, 1, 1, 2),          # strided, padded, grouped, batch 1
    (3, 6, 13, 6, 3, 1, 2, 2, 6),          # depthwise, dilated
    (2, 8, 9, 16, 1, 1, 0, 1, 1),          # pointwise
    (2, 5, 20, 7, 4, 3, (1, 2), 2, 1),     # per-side padding, stride 3, dilation 2
    (1, 2, 5, 3, 5, 1, 0, 1, 1),           # kernel as long as the input
    (3, 2, 1, 4, 1, 1, 0, 1, 1),           # length-1 input
    (2, 3, 10, 4, 4, 1, "same", 1, 1),     # 'same', even kernel
    (2, 3, 9, 4, 3, 1, "same", 3, 1),      # 'same', dilated
    (2, 3, 9, 4, 3, 1, "valid", 1, 1),     # 'valid'
    (4, 32, 200, 24, 5, 1, 2, 1, 1),       # long sequences, several GEMM tiles
]


def _pads(padding, R, dilation):
    if padding == "valid":
        return ((0, 0),)
    if padding == "same":
        t = dilation * (R - 1)
        return ((t // 2, t - t // 2),)
    if isinstance(padding, int):
        return ((padding, padding),)
    return (tuple(padding),)


def _data(case, rng):
    N, C, L, K, R, stride, padding, dilation, groups = case
    x = rng.standard_normal((N, C, L)).astype(np.float32)
    w = rng.standard_normal((K, C // groups, R)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    rkw = dict(stride=(stride,), pads=_pads(padding, R, dilation), dilation=(dilation,), groups=groups)
    return x, w, b, kw, rkw


@pytest.mark.parametrize("case", CASES)
def test_conv1d_against_reference(isa, rng, case):
    x, w, b, kw, rkw = _data(case, rng)
    y = F.conv1d(x, w, b, **kw)
    expected = ref.conv_nd(x, w, b, **rkw)
    assert y.shape == expected.shape
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(expected.shape).astype(np.float32)
    rdx, rdw, rdb = ref.conv_nd_backward(dy, x, w, **rkw)
    dx, dw, db = F.conv1d_backward(dy, x, w, **kw)
    for got, want in ((dx, rdx), (dw, rdw), (db, rdb)):
        assert got.shape == want.shape
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=2e-4)
    # Through autograd as well.
    xt, wt, bt = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    (F.conv1d(xt, wt, bt, **kw) * cc.tensor(dy)).sum().backward()
    for got, want in ((xt.grad, rdx), (wt.grad, rdw), (bt.grad, rdb)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=2e-4)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv1d_padding_modes_against_torch(torch, rng, mode):
    x = rng.standard_normal((2, 4, 9)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    layer = torch.nn.Conv1d(4, 6, 3, stride=2, padding=2, groups=2, padding_mode=mode).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(w))
        layer.bias.copy_(torch.tensor(b))
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    r = layer(tx)
    xt, wt, bt = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv1d(xt, wt, bt, stride=2, padding=2, groups=2, padding_mode=mode)
    np.testing.assert_allclose(np.asarray(y), r.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(r.shape)
    (y * cc.tensor(g.astype(np.float32))).sum().backward()
    (r * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(np.asarray(xt.grad), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(wt.grad), layer.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(bt.grad), layer.bias.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", [CASES[1], CASES[4], CASES[7], CASES[8]])
def test_conv1d_against_torch(check_torch, torch, case, rng):
    x, w, b, kw, rkw = _data(case, rng)
    tkw = dict(kw)
    if isinstance(tkw["padding"], tuple):  # torch has no per-side form: pad first
        left, right = tkw.pop("padding")
        check_torch(lambda x, w, b: F.conv1d(x, w, b, **kw),
                    lambda x, w, b: torch.nn.functional.conv1d(torch.nn.functional.pad(x, (left, right)), w, b,
                                                               **tkw),
                    [x, w, b])
    else:
        check_torch(lambda x, w, b: F.conv1d(x, w, b, **kw),
                    lambda x, w, b: torch.nn.functional.conv1d(x, w, b, **tkw), [x, w, b])


def test_conv1d_finite_differences(rng):
    x, w, b = rng.standard_normal((2, 2, 7)), rng.standard_normal((3, 2, 3)), rng.standard_normal(3)
    kw = dict(stride=2, padding=(2, 1), dilation=2)
    rkw = dict(stride=(2,), pads=((2, 1),), dilation=(2,))
    xs = [cc.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    y = F.conv1d(*xs, **kw)
    weight = rng.standard_normal(y.shape)
    (y * cc.tensor(weight.astype(np.float32))).sum().backward()
    numeric = ref.numeric_grads(lambda x, w, b: ref.conv_nd(x, w, b, **rkw), [x, w, b], weight)
    for t, g in zip(xs, numeric):
        np.testing.assert_allclose(np.asarray(t.grad), g, rtol=1e-3, atol=1e-3)


def test_conv1d_is_conv2d_of_unit_height(rng):
    x = rng.standard_normal((2, 3, 17)).astype(np.float32)
    w = rng.standard_normal((4, 3, 5)).astype(np.float32)
    one = F.conv1d(x, w, stride=2, padding=1)
    two = F.conv2d(x[:, :, None, :], w[:, :, None, :], stride=(1, 2), padding=(0, 1))
    np.testing.assert_array_equal(np.asarray(one), np.asarray(two)[:, :, 0, :])
    assert "Conv1dBackward" in str(F.conv1d(cc.tensor(x, requires_grad=True), w).grad_fn)


# ---------------------------------------------------------------- SPEC section 7, item 6

def test_spec_1d_output_sizes_and_weight_gradient():
    x = np.arange(1, 8, dtype=np.float32).reshape(1, 1, 7) * 10  # x1..x7 = 10, 20, ..., 70
    w = np.ones((1, 1, 3), np.float32)
    assert F.conv1d(x, w).shape[-1] == 5                 # standard
    assert F.conv1d(x, w, padding=1).shape[-1] == 7      # p = 1
    assert F.conv1d(x, w, stride=2).shape[-1] == 3       # s = 2
    assert F.conv1d(x, w, dilation=2).shape[-1] == 3     # t = 2, r_eff = 5
    da = np.zeros((1, 1, 5), np.float32)
    da[0, 0, 3] = 1.0                                    # e_4: the 4th output (1-based)
    _, dw, _ = F.conv1d_backward(da, x, w)
    np.testing.assert_array_equal(np.asarray(dw).ravel(), [40, 50, 60])  # (x4, x5, x6)


# ---------------------------------------------------------------- errors

_X = np.zeros((1, 4, 10), np.float32)
_W = np.zeros((2, 4, 3), np.float32)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.conv1d(np.zeros((4, 10), np.float32), _W), ValueError, "input must be 3-D"),
    (lambda: F.conv1d(_X, np.zeros((2, 4, 3, 3), np.float32)), ValueError, "weight must be 3-D"),
    (lambda: F.conv1d(_X, _W, stride=0), ValueError, "stride must be positive"),
    (lambda: F.conv1d(_X, _W, dilation=-1), ValueError, "dilation must be positive"),
    (lambda: F.conv1d(_X, _W, padding=(-1, 0)), ValueError, "padding must be non-negative"),
    (lambda: F.conv1d(_X, _W, groups=0), ValueError, "groups must be positive"),
    (lambda: F.conv1d(_X, np.zeros((2, 3, 3), np.float32)), ValueError, r"weight.shape\[1\]"),
    (lambda: F.conv1d(_X, np.zeros((3, 2, 3), np.float32), groups=2), ValueError, "divisible by groups"),
    (lambda: F.conv1d(_X, _W, np.zeros(3, np.float32)), ValueError, "bias must have shape"),
    (lambda: F.conv1d(_X, np.zeros((2, 4, 11), np.float32)), ValueError, "kernel"),
    (lambda: F.conv1d(_X, _W, stride=2, padding="same"), ValueError, "same"),
    (lambda: F.conv1d(_X, _W, padding="half"), ValueError, "padding"),
    (lambda: F.conv1d(_X, _W, padding=(1, 2, 3)), ValueError, "padding"),
    (lambda: F.conv1d(_X, _W, stride=(1, 2)), ValueError, "stride"),
    (lambda: F.conv1d(_X, _W, stride="2"), TypeError, "stride"),
    (lambda: F.conv1d(_X, _W, groups=1.0), TypeError, "groups"),
    (lambda: F.conv1d(_X, _W, padding=1, padding_mode="wrap"), ValueError, "padding_mode"),
    (lambda: F.conv1d(_X, _W, padding=10, padding_mode="reflect"), ValueError, "reflect padding"),
    (lambda: F.conv1d(_X.astype(np.complex64), _W), TypeError, "input"),
    (lambda: F.conv1d_backward(np.zeros((1, 2, 7), np.float32), _X, _W), ValueError, "grad_output"),
])
def test_conv1d_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
