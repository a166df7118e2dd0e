"""Differentiable tensor ops: forward against NumPy float64, backward against
torch autograd (check_torch in conftest.py) and against central finite
differences of the op's NumPy float64 formula; broadcasting, reuse of a
tensor, memory sharing, determinism, and the errors bad arguments raise."""
import warnings

import numpy as np
import pytest
from finite_differences import numeric_grads

import convcore as cc
import convcore.functional as F


def rand(rng, shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def away_from_zero(rng, shape):
    """Values in +-[0.5, 2]: safe divisors, and relu/pow never sit on a kink."""
    return (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(np.float32)


def check_fd(cc_fn, np_fn, arrays, rtol=1e-3, atol=1e-4, seed=1):
    """Our gradients of sum(out * w) against finite differences of np_fn."""
    xs = [cc.tensor(a, requires_grad=True) for a in arrays]
    out = cc_fn(*xs)
    w = np.random.default_rng(seed).standard_normal(out.shape)
    np.testing.assert_allclose(np.asarray(out), np_fn(*[a.astype(np.float64) for a in arrays]),
                               rtol=1e-5, atol=1e-5)
    (out * cc.tensor(w)).sum().backward()
    for x, g in zip(xs, numeric_grads(np_fn, arrays, w)):
        np.testing.assert_allclose(np.asarray(x.grad), g, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- binary ops

BINARY = {
    "add": (lambda a, b: a + b, F.add),
    "sub": (lambda a, b: a - b, F.sub),
    "mul": (lambda a, b: a * b, F.mul),
    "div": (lambda a, b: a / b, F.div),
}

BROADCAST_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((3, 4), ()),
    ((), (2, 3)),
    ((2, 3, 4), (3, 1)),
    ((2, 1, 4), (1, 3, 1)),
    ((5, 1, 1, 1), (2, 3, 4)),
    ((2, 3, 1, 4, 1), (3, 5, 1, 6)),
    ((1,), (1,)),
    ((2, 1), (1, 1)),
    ((0, 3), (3,)),
]


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("sa,sb", BROADCAST_SHAPES)
def test_binary_broadcast_against_torch(check_torch, rng, op, sa, sb):
    np_fn, cc_fn = BINARY[op]
    a, b = rand(rng, sa), away_from_zero(rng, sb)
    out = check_torch(cc_fn, np_fn, [a, b])  # torch tensors support the same operators
    assert out.shape == np.broadcast_shapes(sa, sb)
    np.testing.assert_allclose(np.asarray(out), np_fn(a.astype(np.float64), b.astype(np.float64)),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("op", list(BINARY))
def test_binary_finite_differences(rng, op):
    np_fn, cc_fn = BINARY[op]
    check_fd(cc_fn, np_fn, [rand(rng, (2, 3)), away_from_zero(rng, (3,))])


def test_large_broadcast_is_exact(rng):
    # Several parallel chunks, rows split between them.
    a, b = rand(rng, (3, 70, 1000)), rand(rng, (70, 1))
    np.testing.assert_array_equal(np.asarray(cc.tensor(a) * cc.tensor(b)), a * b)
    np.testing.assert_array_equal(np.asarray(cc.tensor(b) - cc.tensor(a)), b - a)


@pytest.mark.parametrize("scalar", [2, 2.5, -0.5, np.float32(3.0), np.float64(1.5)])
def test_scalar_operands_both_orders(scalar):
    a = np.array([[1.0, -2.0], [4.0, 0.5]], dtype=np.float32)
    t = cc.tensor(a, requires_grad=True)
    s = np.float32(scalar)
    cases = [
        (t + scalar, a + s), (scalar + t, s + a), (t - scalar, a - s), (scalar - t, s - a),
        (t * scalar, a * s), (scalar * t, s * a), (t / scalar, a / s), (scalar / t, s / a),
    ]
    for got, want in cases:
        assert isinstance(got, cc.Tensor)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    (scalar - t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), -np.ones((2, 2)))
    t.grad = None
    (scalar / t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), -s / a**2, rtol=1e-6)


def test_numpy_array_operands_both_orders(rng):
    a, b = rand(rng, (3, 4)), rand(rng, (4,))
    t = cc.tensor(a)
    for got, want in [(t + b, a + b), (b + t, b + a), (b - t, b - a), (b * t, b * a),
                      (b / (t + 10), b / (a + 10)), (b.astype(np.float64) - t, b - a)]:
        assert isinstance(got, cc.Tensor), type(got)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(F.add(a, b)), a + b)


def test_tensor_used_twice_accumulates(check_torch, rng):
    check_torch(lambda x: x * x + x, lambda x: x * x + x, [rand(rng, (3, 4))])
    check_torch(lambda x: (x @ x) - x / 2, lambda x: (x @ x) - x / 2, [rand(rng, (4, 4))])
    check_torch(lambda x, y: (x * y).sum(0) * (x - y).mean(0),
                lambda x, y: (x * y).sum(0) * (x - y).mean(0), [rand(rng, (3, 5)), rand(rng, (3, 5))])
    x = cc.tensor([1.0, 2.0], requires_grad=True)
    (x + x + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    (x * 2.0).sum().backward()  # a second backward adds into .grad
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_only_inputs_that_require_grad_get_one(rng):
    a = cc.tensor(rand(rng, (2, 3)), requires_grad=True)
    b = cc.tensor(rand(rng, (3,)))
    (a * b).sum().backward()
    assert a.grad is not None and b.grad is None


# ----------------------------------------------------------------- unary ops

UNARY = {
    "neg": (lambda x: -x, F.neg, lambda x: -x),
    "exp": (np.exp, F.exp, lambda x: x.exp()),
    "log": (np.log, F.log, lambda x: x.log()),
    "relu": (lambda x: np.maximum(x, 0), F.relu, lambda x: x.relu()),
}


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (2, 3, 2, 2)])
def test_unary_against_torch(check_torch, rng, name, shape):
    np_fn, fn, method = UNARY[name]
    x = np.abs(away_from_zero(rng, shape)) if name == "log" else away_from_zero(rng, shape)
    torch_fn = {"neg": lambda t: -t, "exp": lambda t: t.exp(), "log": lambda t: t.log(),
                "relu": lambda t: t.relu()}[name]
    check_torch(fn, torch_fn, [x])
    check_torch(method, torch_fn, [x])
    np.testing.assert_allclose(np.asarray(fn(x)), np_fn(x.astype(np.float64)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_finite_differences(rng, name):
    np_fn, fn, _ = UNARY[name]
    x = away_from_zero(rng, (2, 3))
    if name == "log":
        x = np.abs(x)
    check_fd(fn, np_fn, [x])


def test_relu_gradient_at_zero_is_zero():
    x = cc.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("e", [2, 3, 0.5, -1, -2, 1.5, 1, 0])
def test_pow_against_torch(check_torch, rng, e):
    x = np.abs(away_from_zero(rng, (3, 4)))  # fractional powers need x > 0
    check_torch(lambda t: t ** e, lambda t: t ** e, [x])
    check_torch(lambda t: F.pow(t, e), lambda t: t ** e, [x])
    check_torch(lambda t: t.pow(e), lambda t: t ** e, [x])
    check_fd(lambda t: t ** e, lambda t: t ** e, [x[:2, :2]])


def test_pow_integer_exponent_of_negative_base(check_torch, rng):
    x = away_from_zero(rng, (5,))
    check_torch(lambda t: t ** 3, lambda t: t ** 3, [x])
    assert np.isnan(np.asarray(cc.tensor([-1.0]) ** 0.5)[0])


def test_pow_zero_exponent_has_zero_gradient():
    x = cc.tensor([0.0, 2.0], requires_grad=True)
    y = x ** 0
    np.testing.assert_array_equal(y.numpy(), [1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


# -------------------------------------------------------------------- matmul

MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((1, 1), (1, 1)),
    ((4,), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 6)),
    ((3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((17, 33), (33, 29)),
    ((70, 300), (300, 45)),  # more than one K block and edge tiles
    ((3, 0), (0, 4)),
    ((6, 5, 7), (7, 3)),
    ((9, 4, 3), (9, 3, 2)),  # many small matrices: parallel over the batch
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_against_numpy_and_torch(check_torch, rng, sa, sb):
    a, b = rand(rng, sa, -1, 1), rand(rng, sb, -1, 1)
    out = check_torch(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], rtol=1e-4, atol=1e-4)
    want = np.matmul(a.astype(np.float64), b.astype(np.float64))
    assert out.shape == want.shape
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(F.matmul(a, b)), want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(cc.matmul(cc.tensor(a), b)), want, rtol=1e-4, atol=1e-4)


def test_matmul_finite_differences(rng):
    check_fd(lambda x, y: x @ y, np.matmul, [rand(rng, (2, 3, 4)), rand(rng, (4, 2))])
    check_fd(lambda x, y: x @ y, np.matmul, [rand(rng, (3, 4)), rand(rng, (2, 4, 2))])
    check_fd(lambda x, y: x @ y, np.matmul, [rand(rng, (4,)), rand(rng, (4,))])


def test_matmul_with_numpy_on_the_left(rng):
    a, b = rand(rng, (2, 3)), rand(rng, (3, 2))
    got = a @ cc.tensor(b)
    assert isinstance(got, cc.Tensor)
    np.testing.assert_allclose(np.asarray(got), a @ b, rtol=1e-5)


# ---------------------------------------------------------------- reductions

REDUCE_CASES = [
    ((2, 3, 4), None),
    ((2, 3, 4), 0),
    ((2, 3, 4), 1),
    ((2, 3, 4), -1),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), [1, 2]),
    ((2, 3, 4), (0, 1, 2)),
    ((3, 1, 4), 1),
    ((2, 3, 4, 5, 2), (1, 3)),
    ((2, 3, 4, 5, 2), (0, 2, 4)),
    ((7,), 0),
    ((), None),
    ((3, 1200), 0),  # a kept inner dim longer than one accumulation segment
    ((0, 3), 0),
]


@pytest.mark.parametrize("shape,dim", REDUCE_CASES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_reductions_against_torch(check_torch, rng, shape, dim, keepdim, op):
    x = rand(rng, shape)
    if dim is None:
        cc_fn = (lambda t: getattr(t, op)()) if not keepdim else (lambda t: getattr(F, op)(t, None, True))
        torch_fn = (lambda t: getattr(t, op)()) if not keepdim else (
            lambda t: getattr(t, op)(dim=tuple(range(t.ndim)), keepdim=True))
    else:
        cc_fn = lambda t: getattr(t, op)(dim=dim, keepdim=keepdim)  # noqa: E731
        torch_fn = lambda t: getattr(t, op)(dim=dim, keepdim=keepdim)  # noqa: E731
    if (keepdim and x.ndim == 0 and dim is None) or (op == "mean" and x.size == 0):
        # torch has no dims to keep for a 0-d tensor, and the mean of nothing
        # is NaN (no gradient to compare): check the value against NumPy only.
        out = cc_fn(cc.tensor(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice"
            want = getattr(np, op)(x.astype(np.float64), axis=dim, keepdims=keepdim)
        assert out.shape == want.shape
        np.testing.assert_allclose(np.asarray(out), want, rtol=1e-6, atol=1e-6)
        return
    out = check_torch(cc_fn, torch_fn, [x], rtol=1e-5, atol=1e-5)
    axis = tuple(dim) if isinstance(dim, (list, tuple)) else dim
    want = getattr(np, op)(x.astype(np.float64), axis=axis, keepdims=keepdim)
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-6, atol=1e-6)


def test_reduction_finite_differences(rng):
    x = rand(rng, (2, 3, 2))
    check_fd(lambda t: t.sum(dim=(0, 2)), lambda t: t.sum(axis=(0, 2)), [x])
    check_fd(lambda t: t.mean(dim=1, keepdim=True), lambda t: t.mean(axis=1, keepdims=True), [x])
    check_fd(lambda t: t.mean(), lambda t: t.mean(), [x])


def test_large_sum_is_accurate_and_deterministic(rng):
    x = rand(rng, (300, 1000), 0, 1)  # several fixed chunks of the full reduction
    t = cc.tensor(x)
    want = x.astype(np.float64).sum()
    old = cc.get_num_threads()
    try:
        results = []
        for n in (1, 2, 3):
            cc.set_num_threads(n)
            results.append((t.sum().item(), np.asarray(t.sum(dim=0)).copy(), np.asarray(t.sum(dim=1)).copy()))
    finally:
        cc.set_num_threads(old)
    assert results[0][0] == pytest.approx(want, rel=1e-6)
    for r in results[1:]:
        assert r[0] == results[0][0]
        np.testing.assert_array_equal(r[1], results[0][1])
        np.testing.assert_array_equal(r[2], results[0][2])


def test_mean_of_empty_is_nan():
    assert np.isnan(cc.zeros([0, 3]).mean().item())


# -------------------------------------------------------------- shape ops

def test_reshape_and_view_share_memory(check_torch, rng):
    x = rand(rng, (2, 3, 4))
    t = cc.from_numpy(x)
    for r in (t.reshape(6, 4), t.reshape((4, -1)), t.view(-1), t.view([2, 12]), F.reshape(t, (3, 8))):
        assert np.shares_memory(np.asarray(r), x)
    assert t.reshape(4, -1).shape == (4, 6)
    assert t.reshape(-1, 1, 2).shape == (12, 1, 2)
    assert cc.tensor([5.0]).reshape(()).shape == ()
    check_torch(lambda a: a.reshape(4, -1) * 2, lambda a: a.reshape(4, -1) * 2, [x])
    check_torch(lambda a: a.view(3, 8).exp(), lambda a: a.view(3, 8).exp(), [x])


@pytest.mark.parametrize("start,end", [(0, -1), (1, -1), (0, 1), (1, 2), (-2, -1), (2, 2)])
def test_flatten(check_torch, rng, start, end):
    x = rand(rng, (2, 3, 4))
    check_torch(lambda a: a.flatten(start, end), lambda a: a.flatten(start, end), [x])
    check_torch(lambda a: F.flatten(a, start_dim=start, end_dim=end),
                lambda a: a.flatten(start, end), [x])
    assert np.shares_memory(np.asarray(cc.from_numpy(x).flatten(start, end)), x)
    assert cc.tensor(3.0).flatten().shape == (1,)


@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 2), (0, -1), (-1, -2), (1, 1)])
def test_transpose(check_torch, rng, d0, d1):
    x = rand(rng, (2, 3, 4))
    out = check_torch(lambda a: a.transpose(d0, d1), lambda a: a.transpose(d0, d1), [x])
    np.testing.assert_array_equal(np.asarray(out), np.swapaxes(x, d0, d1))
    assert np.asarray(out).flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(np.asarray(F.transpose(x, d0, d1)), np.swapaxes(x, d0, d1))


@pytest.mark.parametrize("dims", [(0, 1, 2, 3), (3, 2, 1, 0), (0, 2, 3, 1), (2, 0, 3, 1), (-1, 0, 1, 2)])
def test_permute(check_torch, rng, dims):
    x = rand(rng, (2, 3, 4, 5))
    out = check_torch(lambda a: a.permute(*dims), lambda a: a.permute(*dims), [x])
    np.testing.assert_array_equal(np.asarray(out), np.transpose(x, dims))
    np.testing.assert_array_equal(np.asarray(F.permute(x, dims)), np.transpose(x, dims))
    np.testing.assert_array_equal(np.asarray(cc.tensor(x).permute(dims)), np.transpose(x, dims))


def test_large_permute(rng):
    x = rand(rng, (3, 64, 130))
    np.testing.assert_array_equal(np.asarray(cc.permute(x, [2, 0, 1])), np.transpose(x, (2, 0, 1)))


def test_t(rng):
    x = rand(rng, (3, 5))
    np.testing.assert_array_equal(np.asarray(cc.tensor(x).t()), x.T)
    np.testing.assert_array_equal(np.asarray(cc.tensor(x[0]).t()), x[0])


def test_shape_ops_finite_differences(rng):
    x = rand(rng, (2, 3, 2))
    w = rand(rng, (3, 2, 2))
    check_fd(lambda t, u: t.permute(1, 2, 0) * u, lambda t, u: np.transpose(t, (1, 2, 0)) * u, [x, w])
    check_fd(lambda t: t.reshape(3, 4) ** 2, lambda t: t.reshape(3, 4) ** 2, [x])


# ------------------------------------------------------------------ indexing

@pytest.mark.parametrize("index", [0, 2, -1, -4])
def test_select(check_torch, rng, index):
    x = rand(rng, (4, 3, 2))
    out = check_torch(lambda a: a[index], lambda a: a[index], [x])
    np.testing.assert_array_equal(np.asarray(out), x[index])
    assert np.shares_memory(np.asarray(cc.from_numpy(x)[index]), x)
    assert cc.from_numpy(x)[np.int64(index)].shape == (3, 2)


@pytest.mark.parametrize("sl", [slice(1, 3), slice(None, 2), slice(2, None), slice(-3, -1),
                                slice(None), slice(3, 1), slice(-10, 10), slice(0, 5, 2),
                                slice(1, None, 3), slice(None, None, 7)])
def test_slice(check_torch, rng, sl):
    x = rand(rng, (5, 3))
    out = check_torch(lambda a: a[sl], lambda a: a[sl], [x])
    np.testing.assert_array_equal(np.asarray(out), x[sl])
    if sl.step in (None, 1):
        r = np.asarray(cc.from_numpy(x)[sl])
        assert r.size == 0 or np.shares_memory(r, x)


def test_index_then_ops_and_iteration(check_torch, rng):
    x = rand(rng, (4, 3))
    check_torch(lambda a: a[1] * a[2] + a[0:2].sum(0), lambda a: a[1] * a[2] + a[0:2].sum(0), [x])
    rows = list(cc.tensor(x))
    assert len(rows) == 4
    np.testing.assert_array_equal(np.stack([np.asarray(r) for r in rows]), x)


def test_indexing_finite_differences(rng):
    x = rand(rng, (4, 2))
    check_fd(lambda t: t[1:3] * t[0] + t[::2].sum(0), lambda t: t[1:3] * t[0] + t[::2].sum(0), [x])


# ----------------------------------------------------------- a small model

def test_two_layer_net_against_torch(check_torch, rng):
    x, w1, b1, w2 = rand(rng, (5, 4)), rand(rng, (4, 6)), rand(rng, (6,)), rand(rng, (6, 3))

    def net(x, w1, b1, w2):
        h = (x @ w1 + b1).relu()
        return ((h @ w2 - 1.0) ** 2).mean()

    check_torch(net, net, [x, w1, b1, w2], rtol=1e-4, atol=1e-5)


# -------------------------------------------------------------------- errors

def test_non_broadcastable_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \[2, 3\] and \[4\] do not broadcast"):
        cc.ones([2, 3]) + cc.ones([4])
    with pytest.raises(ValueError, match="mul: shapes"):
        F.mul(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32))


def test_matmul_errors():
    with pytest.raises(ValueError, match=r"last dimension of a \(3\) must equal the second-to-last"):
        cc.ones([2, 3]) @ cc.ones([4, 5])
    with pytest.raises(ValueError, match="size of b"):
        cc.ones([2, 3]) @ cc.ones([4])
    with pytest.raises(ValueError, match="at least 1 dimension"):
        cc.tensor(1.0) @ cc.ones([1])
    with pytest.raises(ValueError, match="batch dimensions"):
        cc.ones([2, 3, 4]) @ cc.ones([3, 4, 5])


def test_reshape_errors():
    t = cc.ones([2, 3])
    with pytest.raises(ValueError, match=r"shape \[4, 2\] holds 8 elements, but the input \[2, 3\] holds 6"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match="only one dimension of shape can be -1"):
        t.reshape(-1, -1)
    with pytest.raises(ValueError, match="cannot infer the -1 dimension"):
        t.reshape(-1, 4)
    with pytest.raises(ValueError, match="non-negative or -1"):
        t.view(-2, 3)


def test_dim_errors():
    t = cc.ones([2, 3])
    with pytest.raises(ValueError, match=r"flatten: start_dim 2 is out of range .* \[-2, 1\]"):
        t.flatten(2)
    with pytest.raises(ValueError, match="must not come after end_dim"):
        t.flatten(1, 0)
    with pytest.raises(ValueError, match="transpose: dim1 -3 is out of range"):
        t.transpose(0, -3)
    with pytest.raises(ValueError, match="permute: dims must list each of the 2 dimensions"):
        t.permute(0)
    with pytest.raises(ValueError, match="permute: dim 0 appears more than once"):
        t.permute(0, 0)
    with pytest.raises(ValueError, match="sum: dim 2 is out of range"):
        t.sum(dim=2)
    with pytest.raises(ValueError, match="mean: dim 1 appears more than once"):
        t.mean(dim=(1, -1))
    with pytest.raises(TypeError, match="dim: expected None, an int or a sequence"):
        t.sum(dim="0")


def test_index_errors():
    t = cc.ones([3, 2])
    with pytest.raises(ValueError, match="index: 3 is out of range for dimension 0 of size 3"):
        t[3]
    with pytest.raises(IndexError, match="out of range"):
        t[-4]
    with pytest.raises(ValueError, match="step must be positive"):
        t[::-1]
    with pytest.raises(ValueError, match="step must be positive"):
        t[::0]
    with pytest.raises(TypeError, match="only the first dimension can be indexed"):
        t[0, 1]
    with pytest.raises(TypeError, match="only the first dimension"):
        t[True]
    with pytest.raises(ValueError, match="0-d tensor cannot be indexed"):
        cc.tensor(1.0)[0]


def test_operand_type_errors():
    t = cc.ones([2])
    with pytest.raises(TypeError):
        t + "abc"
    with pytest.raises(TypeError):
        None * t
    with pytest.raises(TypeError, match="pow: exponent must be a real number"):
        t ** t
    with pytest.raises(TypeError, match="expected real numbers"):
        F.add(t, np.array(["a", "b"]))
