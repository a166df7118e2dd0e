"""Pooling ops: forward, indices and every gradient against torch 2.13.0 and
the float64 NumPy oracle in pool_reference.py, at every instruction-set
level; finite differences of the backward; unbatched inputs, NaN, the
explicit backward functions, and determinism across thread counts.
Argument errors are in test_pooling_errors.py, SPEC examples in
test_pooling_golden.py."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import pool_reference as ref
from finite_differences import numeric_grads


def rand(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


def distinct(rng, shape):
    """Values with no ties (a max has a unique argmax, finite differences are clean)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) * 0.37 - n * 0.1).astype(np.float32)


def tup(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def grad_of(fn, x, w):
    """Gradient of sum(fn(x) * w) w.r.t. x, by convcore's autograd."""
    t = cc.tensor(x, requires_grad=True)
    (fn(t) * cc.tensor(w)).sum().backward()
    return np.asarray(t.grad)


def torch_grad(torch, fn, x, w):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (fn(t) * torch.tensor(w, dtype=torch.float64)).sum().backward()
    return t.grad.numpy()


# ------------------------------------------------------------------ max pooling

# (spatial input, kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    ((13,), 3, 2, 1, 1, False),
    ((70,), 2, None, 0, 1, True),
    ((37,), 4, 3, 2, 2, True),
    ((11, 13), 3, 2, 1, 1, False),
    ((7, 7), 2, 2, 0, 1, True),           # the X/O example's shape
    ((55, 55), 3, 2, 0, 1, False),        # AlexNet
    ((9, 70), 3, 1, 1, 1, False),         # wide rows: two-vector blocks at stride 1
    ((10, 77), (3, 2), (2, 2), (1, 0), 1, True),
    ((15, 50), 3, 3, 1, 2, True),         # run-time stride, dilation
    ((8, 40), (2, 3), (1, 2), (1, 1), (2, 1), False),
    ((12, 19), 5, 2, 2, 1, True),
    ((1, 1), 1, 1, 0, 1, False),          # 1x1 input
    ((6, 5), (6, 5), None, 0, 1, False),  # kernel equal to the input
    ((5, 6, 7), 3, 2, 1, 1, False),
    ((4, 9, 34), (2, 3, 3), (1, 2, 2), (1, 1, 0), 1, True),
    ((5, 5, 5), 2, 2, 0, (2, 1, 1), False),
]


@pytest.mark.parametrize("case", MAX_CASES, ids=str)
def test_max_pool_against_torch_and_reference(case, isa, rng, torch):
    sp, k, s, p, d, ceil = case
    nd = len(sp)
    x = distinct(rng, (2, 3) + sp)
    fn = getattr(F, f"max_pool{nd}d")
    tfn = getattr(torch.nn.functional, f"max_pool{nd}d")
    kw = dict(stride=s, padding=p, dilation=d, ceil_mode=ceil)
    y, idx = fn(x, k, return_indices=True, **kw)
    ty, tidx = tfn(torch.from_numpy(x), k, return_indices=True, **kw)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_array_equal(np.asarray(y), ty.numpy())
    assert idx.dtype == np.int64 and idx.shape == y.shape
    np.testing.assert_array_equal(idx, tidx.numpy())
    ry, ridx = ref.max_pool(x, tup(k, nd), tup(s if s is not None else k, nd), tup(p, nd),
                            tup(d, nd), ceil)
    np.testing.assert_array_equal(np.asarray(y), ry)
    np.testing.assert_array_equal(idx, ridx)
    # Without indices (the kernel's other path) the values are the same.
    np.testing.assert_array_equal(np.asarray(fn(x, k, **kw)), np.asarray(y))
    w = rand(rng, y.shape)
    g = grad_of(lambda t: fn(t, k, **kw), x, w)
    np.testing.assert_allclose(g, torch_grad(torch, lambda t: tfn(t, k, **kw), x, w),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, ref.scatter_add(w, ridx, x.shape, nd), rtol=1e-5, atol=1e-6)


def test_max_pool_ties_and_nan_follow_torch(isa, torch):
    x = np.zeros((1, 1, 6, 40), np.float32)       # all ties: the first element wins
    x[0, 0, 2, 7] = np.nan
    x[0, 0, 3, 6] = np.nan                          # the last NaN in scan order wins
    x[0, 0, 5, 30] = -np.inf
    for kw in (dict(), dict(padding=1), dict(stride=1, padding=1)):
        y, i = F.max_pool2d(x, 3, return_indices=True, **kw)
        ty, ti = torch.nn.functional.max_pool2d(torch.from_numpy(x), 3, return_indices=True, **kw)
        np.testing.assert_array_equal(np.asarray(y), ty.numpy())
        np.testing.assert_array_equal(i, ti.numpy())
    allneg = np.full((1, 1, 4, 4), -np.inf, np.float32)
    y, i = F.max_pool2d(allneg, 2, return_indices=True)
    assert np.all(np.asarray(y) == -np.inf) and i.ravel().tolist() == [0, 2, 8, 10]


def test_max_pool_window_over_padding_only_gives_minus_inf_and_index_minus_one():
    # k=2, dilation 3, padding 1 on 2 elements: taps at -1 and 2, both outside.
    x = np.array([[[1.0, 2.0]]], np.float32)
    y, i = F.max_pool1d(x, 2, padding=1, dilation=3, return_indices=True)
    assert np.asarray(y).tolist() == [[[-np.inf]]] and i.tolist() == [[[-1]]]
    t = cc.tensor(x, requires_grad=True)
    F.max_pool1d(t, 2, padding=1, dilation=3).sum().backward()
    assert np.asarray(t.grad).tolist() == [[[0.0, 0.0]]]


def test_max_pool_finite_differences(rng):
    x = distinct(rng, (1, 2, 7, 8))
    f = lambda a: ref.max_pool(a, (3, 3), (2, 2), (1, 1), (1, 1), True)[0]
    w = rng.standard_normal(f(x).shape)
    g = grad_of(lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True), x, w)
    np.testing.assert_allclose(g, numeric_grads(f, [x], w, eps=1e-3)[0], atol=1e-6)


# ------------------------------------------------------------------ average pooling

# (spatial, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [
    ((13,), 3, 2, 1, False, True, None),
    ((70,), 4, 3, 2, True, False, None),
    ((2100,), 3, 2, 1, True, False, None),    # rows wider than the backward's row buffer
    ((11, 13), 3, 2, 1, True, True, None),
    ((11, 13), 3, 2, 1, True, False, None),
    ((56, 56), 2, 2, 0, False, True, None),   # DenseNet transition
    ((9, 70), 3, 1, 1, False, False, None),
    ((10, 40), (3, 2), (3, 1), (1, 1), True, True, 5),
    ((6, 7), 3, 3, 1, True, True, -2),
    ((1, 1), 1, 1, 0, False, True, None),
    ((6, 5), (6, 5), None, 0, False, True, None),
    ((5, 6, 7), 3, 2, 1, True, False, None),
    ((4, 9, 34), (2, 3, 3), (1, 2, 2), (1, 1, 0), False, True, 7),
    ((11, 9), 2, 2, 0, False, True, None),    # windows tiling the plane, a row and column left over
    ((5, 7, 9), (2, 3, 3), None, 0, False, True, 4),
    ((4, 6, 9), (2, 3, 3), None, 0, False, True, 4),  # tiling the volume exactly
    ((10, 28), (2, 4), None, 0, False, True, 3),     # exactly, rows longer than a vector
    ((28, 28), 2, 2, 0, False, True, None),          # LeNet's S2 input
    ((14, 14), 2, 2, 0, False, True, None),          # 14-float rows, an odd output width
    ((10, 10), 2, 2, 0, False, True, None),          # LeNet's S4 input: 10-float rows
    ((2, 6), 2, 2, 0, False, True, None),            # fewer outputs than a vector holds
    ((4, 2), 2, 2, 0, False, True, None),            # rows narrower than any vector
]


@pytest.mark.parametrize("case", AVG_CASES, ids=str)
def test_avg_pool_against_torch_and_reference(case, isa, rng, torch):
    sp, k, s, p, ceil, cip, div = case
    nd = len(sp)
    x = rand(rng, (2, 3) + sp)
    kw = dict(stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip)
    if nd > 1:
        kw["divisor_override"] = div
    fn = getattr(F, f"avg_pool{nd}d")
    tfn = getattr(torch.nn.functional, f"avg_pool{nd}d")
    y = fn(x, k, **kw)
    ty = tfn(torch.from_numpy(x), k, **kw)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(np.asarray(y), ty.numpy(), rtol=1e-6, atol=1e-6)
    ry = ref.avg_pool(x, tup(k, nd), tup(s if s is not None else k, nd), tup(p, nd), ceil, cip,
                      div if nd > 1 else None)
    np.testing.assert_allclose(np.asarray(y), ry, rtol=1e-5, atol=1e-6)
    w = rand(rng, y.shape)
    g = grad_of(lambda t: fn(t, k, **kw), x, w)
    np.testing.assert_allclose(g, torch_grad(torch, lambda t: tfn(t, k, **kw), x, w),
                               rtol=1e-5, atol=1e-6)


def test_avg_pool_finite_differences(rng):
    x = rand(rng, (1, 2, 7, 8))
    f = lambda a: ref.avg_pool(a, (3, 3), (2, 2), (1, 1), True, False)
    w = rng.standard_normal(f(x).shape)
    g = grad_of(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False), x, w)
    np.testing.assert_allclose(g, numeric_grads(f, [x], w)[0], rtol=1e-4, atol=1e-6)


def test_kernels_agree_across_instruction_sets(rng):
    """Max (values and indices) is bit-exact at every level; so is average pooling,
    whose sums run in the same order everywhere."""
    x = rand(rng, (2, 3, 23, 67))
    order = ["scalar", "avx2", "avx512"]
    best = order.index(cc._C.best_supported_isa())
    results = []
    previous = cc.get_isa()
    try:
        for isa in cc.compiled_isas():
            if order.index(isa) > best:
                continue
            cc.set_isa(isa)
            y, i = F.max_pool2d(x, 3, 2, 1, return_indices=True)
            a = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
            results.append((np.asarray(y).copy(), i, np.asarray(a).copy()))
    finally:
        cc.set_isa(previous)
    for y, i, a in results[1:]:
        np.testing.assert_array_equal(y, results[0][0])
        np.testing.assert_array_equal(i, results[0][1])
        np.testing.assert_array_equal(a, results[0][2])


# ------------------------------------------------------------------ LP pooling

@pytest.mark.parametrize("nd,sp,p,k,s,ceil", [
    (1, (11,), 2, 3, 2, False),
    (1, (5,), 2, 2, None, True),            # partial ceil window, scaled as torch
    (2, (9, 11), 2, 3, 2, False),
    (2, (9, 11), 1, (2, 3), None, True),
    (2, (8, 8), 3, 2, 2, False),
    (2, (8, 9), 1.5, 3, 1, True),
    (3, (4, 6, 7), 2, 2, (1, 2, 2), True),
])
def test_lp_pool_against_torch(nd, sp, p, k, s, ceil, rng, torch):
    x = rng.uniform(0.2, 2.0, (2, 3) + sp).astype(np.float32)   # positive: any p is defined
    fn = getattr(F, f"lp_pool{nd}d")
    tfn = getattr(torch.nn.functional, f"lp_pool{nd}d")
    y = fn(x, p, k, s, ceil)
    ty = tfn(torch.from_numpy(x), p, k, s, ceil)
    np.testing.assert_allclose(np.asarray(y), ty.numpy(), rtol=1e-5)
    ry = ref.lp_pool(x, p, tup(k, nd), tup(s if s is not None else k, nd), ceil)
    np.testing.assert_allclose(np.asarray(y), ry, rtol=1e-5)
    w = rand(rng, y.shape)
    g = grad_of(lambda t: fn(t, p, k, s, ceil), x, w)
    np.testing.assert_allclose(g, torch_grad(torch, lambda t: tfn(t, p, k, s, ceil), x, w),
                               rtol=1e-4, atol=1e-6)


def test_lp2_is_root_of_sum_of_squares_and_zero_windows_have_zero_gradient(torch):
    x = np.array([[[[3.0, 4.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]], np.float32)
    y = F.lp_pool2d(x, 2, 2)
    assert np.asarray(y).ravel().tolist() == [5.0, 0.0]
    t = cc.tensor(x, requires_grad=True)
    F.lp_pool2d(t, 2, 2).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.lp_pool2d(tt, 2, 2).sum().backward()
    np.testing.assert_allclose(np.asarray(t.grad), tt.grad.numpy(), rtol=1e-6)
    assert np.all(np.isfinite(np.asarray(t.grad)))


def test_lp_pool_finite_differences(rng):
    x = rng.uniform(0.5, 2.0, (1, 2, 6, 7)).astype(np.float32)
    f = lambda a: ref.lp_pool(a, 3, (2, 3), (2, 2), True)
    w = rng.standard_normal(f(x).shape)
    g = grad_of(lambda t: F.lp_pool2d(t, 3, (2, 3), 2, True), x, w)
    np.testing.assert_allclose(g, numeric_grads(f, [x], w)[0], rtol=1e-3, atol=1e-5)


# ------------------------------------------------------------------ adaptive and global

@pytest.mark.parametrize("sp,out", [
    ((13,), 6), ((5,), 8), ((13, 13), 6), ((7, 7), 1), ((5, 13), (2, 5)), ((33, 3), (None, 2)),
    ((16, 16), 1), ((1, 1), 1), ((6, 9), (6, 9)), ((5, 4, 7), (2, 3, 3)), ((3, 4, 5), 1),
])
def test_adaptive_pools_against_torch_and_reference(sp, out, isa, rng, torch):
    nd = len(sp)
    x = distinct(rng, (2, 3) + sp)
    outs = [sp[i] if v is None else v for i, v in enumerate(tup(out, nd))]
    avg, tavg = getattr(F, f"adaptive_avg_pool{nd}d"), getattr(torch.nn.functional,
                                                               f"adaptive_avg_pool{nd}d")
    mx, tmx = getattr(F, f"adaptive_max_pool{nd}d"), getattr(torch.nn.functional,
                                                             f"adaptive_max_pool{nd}d")
    y = avg(x, out)
    np.testing.assert_allclose(np.asarray(y), tavg(torch.from_numpy(x), out).numpy(),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(y), ref.adaptive_avg_pool(x, outs), rtol=1e-5, atol=1e-5)
    m, i = mx(x, out, return_indices=True)
    tm, ti = tmx(torch.from_numpy(x), out, return_indices=True)
    np.testing.assert_array_equal(np.asarray(m), tm.numpy())
    np.testing.assert_array_equal(i, ti.numpy())
    np.testing.assert_array_equal(i, ref.adaptive_max_pool(x, outs)[1])
    w = rand(rng, y.shape)
    np.testing.assert_allclose(grad_of(lambda t: avg(t, out), x, w),
                               torch_grad(torch, lambda t: tavg(t, out), x, w), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_of(lambda t: mx(t, out), x, w),
                               torch_grad(torch, lambda t: tmx(t, out), x, w), rtol=1e-5, atol=1e-6)


def test_adaptive_output_size_zero_gives_empty(torch):
    x = np.ones((1, 2, 5, 5), np.float32)
    assert F.adaptive_avg_pool2d(x, (0, 2)).shape == (1, 2, 0, 2)
    assert F.adaptive_max_pool2d(x, (0, 2)).shape == (1, 2, 0, 2)


@pytest.mark.parametrize("shape", [(2, 5, 7, 7), (1, 3, 1, 1), (2, 2, 5, 13), (3, 4, 33, 17)])
def test_global_pools(shape, isa, rng, torch):
    x = rand(rng, shape)
    y = F.global_avg_pool2d(x)
    assert y.shape == shape[:2] + (1, 1)
    np.testing.assert_allclose(np.asarray(y), x.astype(np.float64).mean((2, 3), keepdims=True),
                               rtol=1e-5, atol=1e-6)
    m = F.global_max_pool2d(x)
    np.testing.assert_array_equal(np.asarray(m), x.max((2, 3), keepdims=True))
    w = rand(rng, y.shape)
    g = grad_of(F.global_avg_pool2d, x, w)
    np.testing.assert_allclose(g, np.broadcast_to(w / (shape[2] * shape[3]), shape), rtol=1e-6)
    tg = torch_grad(torch, lambda t: torch.nn.functional.adaptive_max_pool2d(t, 1), x, w)
    np.testing.assert_array_equal(grad_of(F.global_max_pool2d, x, w), tg)


def test_adaptive_avg_finite_differences(rng):
    x = rand(rng, (1, 2, 7, 5))
    f = lambda a: ref.adaptive_avg_pool(a, (3, 4))
    w = rng.standard_normal((1, 2, 3, 4))
    g = grad_of(lambda t: F.adaptive_avg_pool2d(t, (3, 4)), x, w)
    np.testing.assert_allclose(g, numeric_grads(f, [x], w)[0], rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------ unpooling

@pytest.mark.parametrize("nd,sp,k,s,p,out", [
    (1, (12,), 2, 2, 0, None),
    (2, (8, 10), 2, 2, 0, None),
    (2, (9, 11), 3, 2, 1, (9, 11)),       # overlapping windows, output_size given
    (2, (7, 7), 2, 2, 0, (1, 1, 7, 7)),   # PyTorch's [N, C, H, W] form
    (3, (4, 6, 6), 2, 2, 0, None),
])
def test_max_unpool_against_torch(nd, sp, k, s, p, out, rng, torch):
    x = distinct(rng, (1, 1) + sp) if out == (1, 1, 7, 7) else distinct(rng, (2, 3) + sp)
    y, i = getattr(F, f"max_pool{nd}d")(x, k, s, p, return_indices=True)
    u = getattr(F, f"max_unpool{nd}d")(y, i, k, s, p, output_size=out)
    ty, ti = getattr(torch.nn.functional, f"max_pool{nd}d")(torch.from_numpy(x), k, s, p,
                                                            return_indices=True)
    tunpool = getattr(torch.nn.functional, f"max_unpool{nd}d")
    tu = tunpool(ty, ti, k, s, p, output_size=out)
    np.testing.assert_array_equal(np.asarray(u), tu.numpy())
    np.testing.assert_array_equal(np.asarray(u), ref.max_unpool(np.asarray(y), i, tu.shape[-nd:]))
    yv = np.asarray(y).copy()
    w = rand(rng, u.shape)
    g = grad_of(lambda t: getattr(F, f"max_unpool{nd}d")(t, i, k, s, p, output_size=out), yv, w)
    np.testing.assert_allclose(
        g, torch_grad(torch, lambda t: tunpool(t, ti, k, s, p, output_size=out), yv, w), rtol=1e-6)


def test_max_unpool_roundtrip_keeps_maxima_only(rng):
    x = distinct(rng, (1, 2, 6, 6))
    y, i = F.max_pool2d(x, 2, return_indices=True)
    u = np.asarray(F.max_unpool2d(y, i, 2))
    assert np.count_nonzero(u) == y.size
    np.testing.assert_array_equal(u.max((2, 3)), x.max((2, 3)))


# ------------------------------------------------------------------ spatial pyramid

@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("hw", [(13, 13), (7, 10), (3, 3), (1, 1)])
def test_spatial_pyramid_pool_against_torch(mode, hw, rng, torch):
    x = distinct(rng, (2, 3) + hw)
    levels = (1, 2, 4)
    y = F.spatial_pyramid_pool2d(x, levels, mode)
    assert y.shape == (2, 3 * (1 + 4 + 16))   # fixed length for any input size
    tpool = getattr(torch.nn.functional, f"adaptive_{mode}_pool2d")
    tspp = lambda t: torch.cat([tpool(t, l).flatten(1) for l in levels], 1)
    np.testing.assert_allclose(np.asarray(y), tspp(torch.from_numpy(x)).numpy(), rtol=1e-6)
    w = rand(rng, y.shape)
    np.testing.assert_allclose(grad_of(lambda t: F.spatial_pyramid_pool2d(t, levels, mode), x, w),
                               torch_grad(torch, tspp, x, w), rtol=1e-5, atol=1e-6)


def test_spatial_pyramid_pool_ordering_and_one_level(rng):
    x = distinct(rng, (1, 2, 4, 4))
    y = np.asarray(F.spatial_pyramid_pool2d(x, (1, 2), "max"))
    # Level 1 (one value per channel), then level 2 channel-major [C, 2, 2].
    np.testing.assert_array_equal(y[0, :2], x.max((2, 3))[0])
    np.testing.assert_array_equal(y[0, 2:], x.reshape(2, 2, 2, 2, 2).max((2, 4)).reshape(-1))
    np.testing.assert_array_equal(np.asarray(F.spatial_pyramid_pool2d(x, [2], "avg")),
                                  np.asarray(F.adaptive_avg_pool2d(x, 2)).reshape(1, -1))
    assert F.spatial_pyramid_pool2d(x[0], (1, 2)).shape == (10,)   # unbatched


# ------------------------------------------------------------------ mixed pooling

def test_mixed_pool_with_learnable_alpha_against_torch(rng, torch):
    x = distinct(rng, (2, 3, 9, 11))
    alpha = np.array(0.3, np.float32)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ta = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
    tf = torch.nn.functional
    ty = ta * tf.max_pool2d(tx, 3, 2, 1) + (1 - ta) * tf.avg_pool2d(tx, 3, 2, 1)
    cx, ca = cc.tensor(x, requires_grad=True), cc.tensor(alpha, requires_grad=True)
    y = F.mixed_pool2d(cx, 3, ca, stride=2, padding=1)
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    w = rand(rng, y.shape)
    (y * cc.tensor(w)).sum().backward()
    (ty * torch.tensor(w, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(np.asarray(cx.grad), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert ca.grad.shape == ()
    np.testing.assert_allclose(float(np.asarray(ca.grad)), ta.grad.item(), rtol=1e-4)


def test_mixed_pool_alpha_forms(rng):
    x = rand(rng, (1, 2, 6, 6))
    m, a = np.asarray(F.max_pool2d(x, 2)), np.asarray(F.avg_pool2d(x, 2))
    np.testing.assert_allclose(np.asarray(F.mixed_pool2d(x, 2, 1.0)), m)
    np.testing.assert_allclose(np.asarray(F.mixed_pool2d(x, 2, 0)), a)
    one = cc.tensor(np.array([0.25], np.float32), requires_grad=True)   # shape [1] also works
    y = F.mixed_pool2d(x, 2, one)
    assert y.shape == (1, 2, 3, 3)
    np.testing.assert_allclose(np.asarray(y), 0.25 * m + 0.75 * a, rtol=1e-6)
    y.sum().backward()
    assert one.grad.shape == (1,)
    np.testing.assert_allclose(np.asarray(one.grad), [np.sum(m - a)], rtol=1e-4)


def test_mixed_pool_alpha_finite_differences(rng):
    x = rand(rng, (1, 2, 5, 5))
    m = ref.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), True)[0]
    a = ref.avg_pool(x, (2, 2), (2, 2), (0, 0), True)
    w = rng.standard_normal(m.shape)
    alpha = cc.tensor(np.float32(0.6), requires_grad=True)
    (F.mixed_pool2d(x, 2, alpha, ceil_mode=True) * cc.tensor(w)).sum().backward()
    f = lambda al: al * m + (1 - al) * a
    np.testing.assert_allclose(float(np.asarray(alpha.grad)),
                               numeric_grads(f, [np.array(0.6)], w)[0], rtol=1e-4)


# ------------------------------------------------------------------ maxout

@pytest.mark.parametrize("shape,groups", [((2, 6, 5, 7), 3), ((3, 8), 2), ((2, 4, 3), 4),
                                          ((1, 5, 2, 2, 3), 5), ((2, 6, 4), 1)])
def test_maxout_against_torch(shape, groups, rng, torch):
    x = rand(rng, shape)
    x.reshape(-1)[::7] = x.reshape(-1)[1::7][: x.reshape(-1)[::7].size]   # some ties
    y = F.maxout(x, groups)
    n, c = shape[:2]
    tfn = lambda t: t.reshape((n, c // groups, groups) + shape[2:]).max(dim=2).values
    np.testing.assert_array_equal(np.asarray(y), tfn(torch.from_numpy(x)).numpy())
    np.testing.assert_array_equal(np.asarray(y), ref.maxout(x, groups))
    w = rand(rng, y.shape)
    np.testing.assert_allclose(grad_of(lambda t: F.maxout(t, groups), x, w),
                               torch_grad(torch, tfn, x, w), rtol=1e-6)


def test_maxout_grouping_ties_and_nan(torch):
    x = np.array([[1, 5, 2, 2, 7, 3]], np.float32)[..., None]   # [1, 6, 1], groups of 3
    assert np.asarray(F.maxout(x, 3)).ravel().tolist() == [5, 7]
    t = cc.tensor(x, requires_grad=True)
    F.maxout(t, 2).sum().backward()   # groups (1,5) (2,2) (7,3): the tie goes to the first
    assert np.asarray(t.grad).ravel().tolist() == [0, 1, 1, 0, 1, 0]
    x = np.array([[1, np.nan, 3, np.nan]], np.float32)
    t = cc.tensor(x, requires_grad=True)
    y = F.maxout(t, 4)
    assert np.isnan(np.asarray(y)).all()
    y.sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    tt.reshape(1, 1, 4).max(dim=2).values.sum().backward()
    np.testing.assert_array_equal(np.asarray(t.grad), tt.grad.numpy())


def test_maxout_finite_differences(rng):
    x = distinct(rng, (2, 6, 3))
    w = rng.standard_normal((2, 2, 3))
    g = grad_of(lambda t: F.maxout(t, 3), x, w)
    np.testing.assert_allclose(g, numeric_grads(lambda a: ref.maxout(a, 3), [x], w, eps=1e-3)[0],
                               atol=1e-6)


# ------------------------------------------------------------------ shared behaviour

def test_unbatched_inputs_match_batched(rng):
    x = distinct(rng, (3, 9, 10))
    cases = [
        lambda a: F.max_pool2d(a, 3, 2, 1),
        lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True),
        lambda a: F.lp_pool2d(a, 2, 2),
        lambda a: F.adaptive_avg_pool2d(a, (2, 3)),
        lambda a: F.adaptive_max_pool2d(a, 4),
        lambda a: F.global_avg_pool2d(a),
        lambda a: F.mixed_pool2d(a, 2, 0.5),
        lambda a: F.max_pool1d(a[0], 2),
    ]
    for fn in cases:
        ub, b = np.asarray(fn(x)), np.asarray(fn(x[None]))
        np.testing.assert_array_equal(ub, b[0])
    y, i = F.max_pool2d(x, 2, return_indices=True)
    assert y.shape == i.shape == (3, 4, 5)
    np.testing.assert_array_equal(np.asarray(F.max_unpool2d(y, i, 2, output_size=(9, 10))),
                                  np.asarray(F.max_unpool2d(np.asarray(y)[None], i[None], 2,
                                                            output_size=(9, 10)))[0])
    t = cc.tensor(x, requires_grad=True)
    F.max_pool2d(t, 3, 2, 1).sum().backward()
    assert t.grad.shape == x.shape


def test_empty_batch(rng):
    x = np.zeros((0, 3, 8, 8), np.float32)
    assert F.max_pool2d(x, 2).shape == (0, 3, 4, 4)
    assert F.avg_pool2d(x, 3, 2, 1).shape == (0, 3, 4, 4)
    assert F.adaptive_avg_pool2d(x, 2).shape == (0, 3, 2, 2)


def test_explicit_backward_functions_match_autograd(rng):
    x = rand(rng, (2, 3, 11, 13))
    w = rand(rng, (2, 3, 6, 7))
    y, i = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(np.asarray(cc._C.max_pool_backward(w, i, list(x.shape), 2)),
                                  grad_of(lambda t: F.max_pool2d(t, 3, 2, 1), x, w))
    avg = lambda t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=False)
    np.testing.assert_array_equal(
        np.asarray(cc._C.avg_pool_backward(w, list(x.shape), 2, [3, 3], [2, 2], [1, 1], False,
                                           False, 0)), grad_of(avg, x, w))
    np.testing.assert_array_equal(
        np.asarray(cc._C.adaptive_avg_pool_backward(w, list(x.shape), 2)),
        grad_of(lambda t: F.adaptive_avg_pool2d(t, (6, 7)), x, w))
    xm, wm = rand(rng, (2, 6, 4)), rand(rng, (2, 3, 4))
    np.testing.assert_array_equal(np.asarray(cc._C.maxout_backward(wm, xm, 2)),
                                  grad_of(lambda t: F.maxout(t, 2), xm, wm))


def test_results_do_not_depend_on_thread_count(rng):
    x = rand(rng, (3, 5, 29, 31))
    w = rand(rng, (3, 5, 15, 16))
    previous = cc.get_num_threads()
    runs = []
    try:
        for n in (1, 2, 3):
            cc.set_num_threads(n)
            y, i = F.max_pool2d(x, 3, 2, 1, return_indices=True)
            a = F.avg_pool2d(x, 3, 2, 1)
            g = grad_of(lambda t: F.avg_pool2d(t, 3, 2, 1) + F.max_pool2d(t, 3, 2, 1), x, w)
            runs.append([np.asarray(y).copy(), i, np.asarray(a).copy(), g,
                         np.asarray(F.global_avg_pool2d(x)).copy()])
    finally:
        cc.set_num_threads(previous)
    for run in runs[1:]:
        for got, want in zip(run, runs[0]):
            np.testing.assert_array_equal(got, want)


def test_grad_fn_names_and_no_grad(rng):
    x = cc.tensor(rand(rng, (1, 2, 6, 6)), requires_grad=True)
    assert F.max_pool2d(x, 2).grad_fn == "MaxPoolBackward"
    assert F.avg_pool2d(x, 2).grad_fn == "AvgPoolBackward"
    assert F.adaptive_max_pool2d(x, 2).grad_fn == "AdaptiveMaxPoolBackward"
    assert F.lp_pool2d(x, 2, 2).grad_fn == "LpPoolBackward"
    assert F.maxout(x, 2).grad_fn == "MaxoutBackward"
    with cc.no_grad():
        assert F.max_pool2d(x, 2).grad_fn is None


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("shape", [(2, 3, 9, 7), (3, 5, 6)])
def test_spatial_pyramid_pool2d_explicit_backward_matches_autograd(rng, mode, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    t = cc.tensor(x, requires_grad=True)
    y = F.spatial_pyramid_pool2d(t, levels=(1, 2, 3), mode=mode)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    explicit = cc._C.spatial_pyramid_pool2d_backward(g, x, [1, 2, 3], mode)
    np.testing.assert_allclose(np.asarray(explicit), np.asarray(t.grad), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.spatial_pyramid_pool2d_backward(g[..., :-1].copy(), x, [1, 2, 3], mode)


@pytest.mark.parametrize("shape", [(2, 3, 9, 7), (3, 6, 6)])
def test_mixed_pool2d_explicit_backward_matches_autograd(rng, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    t = cc.tensor(x, requires_grad=True)
    alpha = cc.tensor(np.array([0.3], np.float32), requires_grad=True)
    y = F.mixed_pool2d(t, 3, alpha, stride=2, padding=1)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    gx, galpha = cc._C.mixed_pool2d_backward(g, x, 0.3, [3], [2], [1], False, True)
    np.testing.assert_allclose(np.asarray(gx), np.asarray(t.grad), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(galpha, np.asarray(alpha.grad)[0], rtol=1e-4)
