"""conv3d (and pad3d) forward and every gradient against the float64 NumPy
reference on every instruction-set level, against torch 2.13.0, by finite
differences, and the errors bad arguments raise."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import conv_nd_reference as ref

# (N, C, (D, H, W), K, (T, R, S), stride, padding, dilation, groups)
CASES = [
    (2, 3, (5, 6, 7), 4, (3, 3, 3), 1, 0, 1, 1),                  # odd sizes, valid
    (1, 4, (6, 7, 8), 6, (3, 2, 3), 2, 1, 1, 2),                  # strided, padded, grouped, batch 1
    (2, 4, (7, 6, 5), 4, (3, 3, 3), 1, 2, 2, 4),                  # depthwise, dilated
    (2, 8, (4, 4, 4), 16, (1, 1, 1), 1, 0, 1, 1),                 # pointwise
    (1, 3, (9, 8, 10), 5, (3, 3, 3), (1, 2, 3), (1, 0, 2), (2, 1, 1), 1),  # per-dim everything
    (2, 2, (5, 6, 7), 3, (2, 3, 4), 1, (1, 2, 0, 1, 2, 0), 1, 1),  # per-side padding
    (1, 2, (3, 4, 5), 3, (3, 4, 5), 1, 0, 1, 1),                  # kernel as large as the input
    (3, 2, (1, 1, 1), 4, (1, 1, 1), 1, 0, 1, 1),                  # 1x1x1 input
    (2, 3, (5, 6, 7), 2, (3, 3, 3), 1, "same", 1, 1),             # 'same'
    (1, 2, (6, 5, 7), 3, (2, 4, 3), 1, "same", (1, 2, 2), 1),     # 'same', even kernels, dilated
    (2, 3, (5, 6, 7), 2, (3, 3, 3), 1, "valid", 1, 1),            # 'valid'
    (1, 16, (8, 8, 8), 20, (3, 3, 3), 1, 1, 1, 1),                # 512 positions: pieces of an image
    (8, 3, (2, 3, 3), 5, (1, 2, 2), 1, 0, 1, 1),                  # tiny volumes: images batched per chunk
    (1, 6, (6, 6, 6), 12, (3, 3, 3), 2, 1, 1, 3),                 # strided backward data (col2vol), groups
    (1, 3, (5, 5, 5), 4, (3, 3, 3), 1, 3, 1, 1),                  # padding > kernel: col2vol at stride 1
]


def _pads(padding, kernel, dilation):
    dilation = (dilation,) * 3 if isinstance(dilation, int) else dilation
    if padding == "valid":
        return ((0, 0),) * 3
    if padding == "same":
        tot = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple((t // 2, t - t // 2) for t in tot)
    if isinstance(padding, int):
        return ((padding, padding),) * 3
    if len(padding) == 3:
        return tuple((p, p) for p in padding)
    left, right, top, bottom, front, back = padding
    return ((front, back), (top, bottom), (left, right))


def _triple(v):
    return (v,) * 3 if isinstance(v, int) else tuple(v)


def _data(case, rng):
    N, C, spatial, K, kernel, stride, padding, dilation, groups = case
    x = rng.standard_normal((N, C) + spatial).astype(np.float32)
    w = rng.standard_normal((K, C // groups) + kernel).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    rkw = dict(stride=_triple(stride), pads=_pads(padding, kernel, dilation),
               dilation=_triple(dilation), groups=groups)
    return x, w, b, kw, rkw


@pytest.mark.parametrize("case", CASES)
def test_conv3d_against_reference(isa, rng, case):
    x, w, b, kw, rkw = _data(case, rng)
    y = F.conv3d(x, w, b, **kw)
    expected = ref.conv_nd(x, w, b, **rkw)
    assert y.shape == expected.shape
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(expected.shape).astype(np.float32)
    dx, dw, db = F.conv3d_backward(dy, x, w, **kw)
    rdx, rdw, rdb = ref.conv_nd_backward(dy, x, w, **rkw)
    np.testing.assert_allclose(np.asarray(dx), rdx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(dw), rdw, rtol=1e-4, atol=2e-4)
    np.testing.assert_allclose(np.asarray(db), rdb, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv3d_padding_modes(rng, mode):
    case = (2, 4, (5, 6, 7), 4, (3, 2, 3), (1, 2, 1), (1, 2, 0, 1, 2, 1), 1, 2)
    x, w, b, kw, rkw = _data(case, rng)
    xt, wt, bt = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv3d(xt, wt, bt, padding_mode=mode, **kw)
    expected = ref.conv_nd(x, w, b, mode=mode, **rkw)
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-4, atol=1e-4)
    dy = rng.standard_normal(expected.shape).astype(np.float32)
    (y * cc.tensor(dy)).sum().backward()
    rdx, rdw, rdb = ref.conv_nd_backward(dy, x, w, mode=mode, **rkw)
    for got, want in ((xt.grad, rdx), (wt.grad, rdw), (bt.grad, rdb)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=2e-4)
    # The explicit backward agrees with the graph.
    dx, dw, db = F.conv3d_backward(dy, x, w, padding_mode=mode, **kw)
    np.testing.assert_allclose(np.asarray(dx), rdx, rtol=1e-4, atol=2e-4)
    np.testing.assert_allclose(np.asarray(dw), rdw, rtol=1e-4, atol=2e-4)


@pytest.mark.parametrize("case", [CASES[1], CASES[4], CASES[9], CASES[13]])
def test_conv3d_against_torch(torch, rng, case):
    x, w, b, kw, rkw = _data(case, rng)
    tf = torch.nn.functional
    xt, wt, bt = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv3d(xt, wt, bt, **kw)
    tx, tw, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    pads = rkw["pads"]
    tpad = tf.pad(tx, [p for pair in reversed(pads) for p in pair])  # torch.pad: last dim first
    r = tf.conv3d(tpad, tw, tb, stride=rkw["stride"], dilation=rkw["dilation"], groups=kw["groups"])
    np.testing.assert_allclose(np.asarray(y), r.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(r.shape)
    (y * cc.tensor(g.astype(np.float32))).sum().backward()
    (r * torch.tensor(g)).sum().backward()
    for ours, theirs in ((xt, tx), (wt, tw), (bt, tb)):
        np.testing.assert_allclose(np.asarray(ours.grad), theirs.grad.numpy(), rtol=1e-4, atol=2e-4)


def test_conv3d_torch_padding_mode(torch, rng):
    x = rng.standard_normal((1, 2, 5, 6, 4)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3, 3)).astype(np.float32)
    for mode in ("reflect", "replicate", "circular"):
        layer = torch.nn.Conv3d(2, 3, 3, padding=1, padding_mode=mode, bias=False).double()
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(w))
        ours = F.conv3d(x, w, padding=1, padding_mode=mode)
        theirs = layer(torch.tensor(x, dtype=torch.float64)).detach().numpy()
        np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-4, atol=1e-4)


def test_conv3d_finite_differences(rng):
    x = rng.standard_normal((1, 2, 4, 3, 4))
    w = rng.standard_normal((2, 1, 2, 2, 3))
    b = rng.standard_normal(2)
    kw = dict(stride=(2, 1, 2), padding=(1, 0, 1), groups=2)
    rkw = dict(stride=(2, 1, 2), pads=((1, 1), (0, 0), (1, 1)), groups=2)
    xs = [cc.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    y = F.conv3d(*xs, **kw)
    weight = rng.standard_normal(y.shape)
    (y * cc.tensor(weight.astype(np.float32))).sum().backward()
    numeric = ref.numeric_grads(lambda x, w, b: ref.conv_nd(x, w, b, **rkw), [x, w, b], weight)
    for t, g in zip(xs, numeric):
        np.testing.assert_allclose(np.asarray(t.grad), g, rtol=1e-3, atol=1e-3)


def test_conv3d_grad_fn_and_masks(rng):
    x = cc.tensor(rng.standard_normal((1, 2, 3, 3, 3)).astype(np.float32), requires_grad=True)
    w = rng.standard_normal((2, 2, 2, 2, 2)).astype(np.float32)
    y = F.conv3d(x, w)
    assert y.grad_fn is not None and "Conv3dBackward" in str(y.grad_fn)
    dy = np.ones(y.shape, np.float32)
    dx, dw, db = F.conv3d_backward(dy, x.detach(), w, output_mask=(False, True, False))
    assert dx is None and db is None and dw.shape == w.shape
    with cc.no_grad():
        assert F.conv3d(x, w).grad_fn is None


def test_conv3d_same_numbers_at_one_and_two_threads(rng):
    x = rng.standard_normal((1, 8, 8, 8, 8)).astype(np.float32)
    w = rng.standard_normal((8, 8, 3, 3, 3)).astype(np.float32)
    before = cc.get_num_threads()
    try:
        cc.set_num_threads(1)
        one = [np.asarray(t).copy() for t in F.conv3d_backward(np.ones((1, 8, 6, 6, 6), np.float32), x, w)]
        cc.set_num_threads(2)
        two = [np.asarray(t).copy() for t in F.conv3d_backward(np.ones((1, 8, 6, 6, 6), np.float32), x, w)]
    finally:
        cc.set_num_threads(before)
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad3d(rng, mode):
    x = rng.standard_normal((2, 3, 4, 5, 6)).astype(np.float32)
    p = (1, 2, 0, 3, 2, 1)  # left, right, top, bottom, front, back
    xt = cc.tensor(x, requires_grad=True)
    y = F.pad(xt, p, mode=mode)
    pads = ((p[4], p[5]), (p[2], p[3]), (p[0], p[1]))
    np_mode = {"constant": "zeros"}.get(mode, mode)
    np.testing.assert_allclose(np.asarray(y), ref.pad_nd(x, pads, np_mode))
    g = rng.standard_normal(y.shape)
    (y * cc.tensor(g.astype(np.float32))).sum().backward()
    if np_mode == "zeros":
        want = g[:, :, 2:6, 0:5, 1:7]
    else:
        want = ref._unpad_adjoint(g, x.shape, pads, np_mode)
    np.testing.assert_allclose(np.asarray(xt.grad), want, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- errors

def _x():
    return np.zeros((1, 4, 5, 5, 5), np.float32)


def _w(c=4):
    return np.zeros((2, c, 3, 3, 3), np.float32)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.conv3d(np.zeros((1, 4, 5, 5), np.float32), _w()), ValueError, "input must be 5-D"),
    (lambda: F.conv3d(_x(), np.zeros((2, 4, 3, 3), np.float32)), ValueError, "weight must be 5-D"),
    (lambda: F.conv3d(_x(), _w(), stride=0), ValueError, "stride must be positive"),
    (lambda: F.conv3d(_x(), _w(), dilation=(1, 0, 1)), ValueError, "dilation must be positive"),
    (lambda: F.conv3d(_x(), _w(), padding=-1), ValueError, "padding must be non-negative"),
    (lambda: F.conv3d(_x(), _w(), groups=0), ValueError, "groups must be positive"),
    (lambda: F.conv3d(_x(), _w(3)), ValueError, r"weight.shape\[1\]"),
    (lambda: F.conv3d(_x(), _w(4), groups=3), ValueError, "divisible by groups"),
    (lambda: F.conv3d(_x(), _w(), np.zeros(3, np.float32)), ValueError, "bias must have shape"),
    (lambda: F.conv3d(_x(), np.zeros((2, 4, 7, 3, 3), np.float32)), ValueError, "kernel"),
    (lambda: F.conv3d(_x(), _w(), stride=2, padding="same"), ValueError, "same"),
    (lambda: F.conv3d(_x(), _w(), padding="full"), ValueError, "padding"),
    (lambda: F.conv3d(_x(), _w(), padding=(1, 2)), ValueError, "padding"),
    (lambda: F.conv3d(_x(), _w(), stride=(1, 2)), ValueError, "stride"),
    (lambda: F.conv3d(_x(), _w(), stride=1.5), TypeError, "stride"),
    (lambda: F.conv3d(_x(), _w(), padding=1, padding_mode="mirror"), ValueError, "padding_mode"),
    (lambda: F.conv3d(_x(), _w(), padding=5, padding_mode="reflect"), ValueError, "reflect padding"),
    (lambda: F.conv3d(_x(), "weight"), TypeError, "weight"),
    (lambda: F.conv3d_backward(np.zeros((1, 2, 2, 2, 2), np.float32), _x(), _w()), ValueError, "grad_output"),
    (lambda: F.conv3d_backward(np.zeros((1, 2, 3, 3, 3), np.float32), _x(), _w(), output_mask=(1, 1)),
     ValueError, "output_mask"),
    (lambda: F.pad(_x(), (1, 1, 1, 1, -1, 0)), ValueError, "non-negative"),
    (lambda: F.pad(_x(), (0, 0, 0, 0, 5, 0), mode="reflect"), ValueError, "depth"),
])
def test_conv3d_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
