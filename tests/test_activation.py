"""Activations: leaky_relu, sigmoid, tanh, scaled_tanh, softmax, log_softmax.
Forward against float64 NumPy and torch 2.13.0, gradients against torch
autograd and finite differences, every instruction-set level, extreme
values, explicit backward functions, thread-count independence, errors."""
import warnings

import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import layer_reference as ref
from gradcheck import check_fd

SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 17), (2, 3, 4, 5), (1, 2, 3, 2, 3), (0, 4), (33, 70)]


def rand(rng, shape, scale=3.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


ELEMENTWISE = {
    # name: (convcore fn, torch fn, float64 numpy fn)
    "sigmoid": (F.sigmoid, lambda t, x: t.sigmoid(x), lambda x: 1 / (1 + np.exp(-x))),
    "tanh": (F.tanh, lambda t, x: t.tanh(x), np.tanh),
    "scaled_tanh": (F.scaled_tanh, lambda t, x: 1.7159 * t.tanh(2.0 * x / 3.0),
                    lambda x: 1.7159 * np.tanh(2 * x / 3)),
    "leaky_relu": (F.leaky_relu, lambda t, x: t.nn.functional.leaky_relu(x),
                   lambda x: np.where(x > 0, x, 0.01 * x)),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_against_torch_and_numpy(torch, check_torch, isa, rng, name, shape):
    cc_fn, t_fn, np_fn = ELEMENTWISE[name]
    x = rand(rng, shape)
    out = check_torch(cc_fn, lambda v: t_fn(torch, v), [x], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out), np_fn(x.astype(np.float64)), rtol=5e-7, atol=1e-7)


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_finite_differences(rng, name):
    cc_fn, _, np_fn = ELEMENTWISE[name]
    x = rand(rng, (3, 4), scale=1.5)
    x[np.abs(x) < 0.05] = 0.5  # leaky_relu: off the kink
    check_fd(cc_fn, np_fn, [x], fwd_tol=1e-6)


def test_transcendentals_accurate_over_whole_range(isa):
    # The vectorised exp/expm1 approximations: a few float ulps everywhere.
    x = np.concatenate([np.linspace(-100, 100, 40001), np.linspace(-1e-3, 1e-3, 2001),
                        np.logspace(-30, 1.5, 500), -np.logspace(-30, 1.5, 500)]).astype(np.float32)
    xd = x.astype(np.float64)
    s = np.asarray(F.sigmoid(x))
    want = 1 / (1 + np.exp(-xd))
    keep = want > 1e-37  # below FLT_MIN the approximation flushes to 0
    np.testing.assert_allclose(s[keep], want[keep], rtol=3e-7)
    np.testing.assert_allclose(s[~keep], want[~keep], rtol=3e-7, atol=1.2e-38)
    np.testing.assert_allclose(np.asarray(F.tanh(x)), np.tanh(xd), rtol=3e-7, atol=1e-45)
    np.testing.assert_allclose(np.asarray(F.scaled_tanh(x)), 1.7159 * np.tanh(2 * xd / 3),
                               rtol=4e-7, atol=1e-45)


def test_extreme_and_special_values(isa):
    x = np.array([-np.inf, -1e30, -200, -88, 0.0, -0.0, 1e-38, 88, 200, 1e30, np.inf, np.nan],
                 np.float32)
    with np.errstate(over="ignore"):
        want_sig = 1 / (1 + np.exp(-x.astype(np.float64)))
    got = np.asarray(F.sigmoid(x))
    np.testing.assert_allclose(got[:-1], want_sig[:-1], rtol=3e-7, atol=1e-37)
    assert np.isnan(got[-1])
    got = np.asarray(F.tanh(x))
    np.testing.assert_array_equal(got[:-1], np.tanh(x[:-1].astype(np.float64)).astype(np.float32))
    assert np.isnan(got[-1])
    assert np.signbit(np.asarray(F.tanh(np.array([-0.0], np.float32)))[0])
    np.testing.assert_array_equal(np.asarray(F.leaky_relu(x[:-1], 0.5)),
                                  np.where(x[:-1] > 0, x[:-1], x[:-1] * np.float32(0.5)))


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0, -0.5, 3.0])
def test_leaky_relu_slopes_and_gradient_at_zero(torch, isa, slope):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0], np.float32)
    t = cc.tensor(x, requires_grad=True)
    y = F.leaky_relu(t, slope)
    tt = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.leaky_relu(tt, slope)
    np.testing.assert_array_equal(np.asarray(y), ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), tt.grad.numpy())  # x == 0 gets the slope


# ------------------------------------------------------------------ softmax

SOFTMAX_CASES = [((5,), 0), ((5,), -1), ((3, 7), 1), ((3, 7), 0), ((2, 3, 4), 1), ((2, 3, 4), -1),
                 ((2, 3, 4), 0), ((2, 5, 3, 3), 1), ((2, 5, 3, 3), 3), ((1, 2, 3, 2, 70), 2),
                 ((2, 130, 3), 2), ((3, 2, 1000), 2), ((4, 1000), 1), ((2, 3, 200), 1), ((1, 1), 1)]


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape,dim", SOFTMAX_CASES)
def test_softmax_against_torch_and_numpy(torch, check_torch, isa, rng, log, shape, dim):
    name = "log_softmax" if log else "softmax"
    x = rand(rng, shape)
    out = check_torch(lambda v: getattr(F, name)(v, dim),
                      lambda v: getattr(torch.nn.functional, name)(v, dim), [x], rtol=2e-6, atol=2e-6)
    want = (ref.log_softmax if log else ref.softmax)(x, dim)
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("log", [False, True])
def test_softmax_finite_differences(rng, log):
    x = rand(rng, (2, 3, 4), scale=1.0)
    np_fn = (lambda v: ref.log_softmax(v, 1)) if log else (lambda v: ref.softmax(v, 1))
    cc_fn = (lambda v: F.log_softmax(v, 1)) if log else (lambda v: F.softmax(v, 1))
    check_fd(cc_fn, np_fn, [x], fwd_tol=2e-6)


def test_softmax_is_stable_for_large_and_infinite_inputs(isa):
    x = np.array([[1e4, 1e4 - 1, -1e4], [-1e30, 0.0, -np.inf], [88.0, 89.0, 90.0],
                  [3e38, -3e38, 3e38]], np.float32)
    np.testing.assert_allclose(np.asarray(F.softmax(x, 1)), ref.softmax(x, 1), rtol=1e-6, atol=1e-7)
    lsm = np.asarray(F.log_softmax(x, 1))
    with np.errstate(invalid="ignore"):
        want = ref.log_softmax(x, 1)
    ok = np.isfinite(want) & (want > -1e38)  # x - max below -FLT_MAX is -inf in float32, as torch
    np.testing.assert_allclose(lsm[ok], want[ok], rtol=1e-6)
    assert lsm[1, 2] == -np.inf and lsm[3, 1] == -np.inf
    # A NaN anywhere in a row makes the whole row NaN, as in torch.
    assert np.all(np.isnan(np.asarray(F.softmax(np.array([[1.0, np.nan, 2.0]], np.float32), 1))))


def test_softmax_zero_dim_and_empty(torch):
    assert F.softmax(np.float32(3.0), 0).item() == 1.0
    assert F.log_softmax(np.float32(3.0), -1).item() == 0.0
    assert F.softmax(np.zeros((0, 3), np.float32), 1).shape == (0, 3)
    assert F.softmax(np.zeros((2, 0), np.float32), 1).shape == (2, 0)


def test_softmax_legacy_implicit_dim():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(x)
    np.testing.assert_allclose(np.asarray(out), ref.softmax(x, 1), rtol=1e-6)
    with pytest.warns(UserWarning):
        out = F.log_softmax(np.arange(3, dtype=np.float32))
    np.testing.assert_allclose(np.asarray(out), ref.log_softmax(np.arange(3.0), 0), rtol=1e-6)


@pytest.mark.parametrize("dim", [2, -3, 5])
def test_softmax_bad_dim(dim):
    with pytest.raises(ValueError, match="dim"):
        F.softmax(np.zeros((2, 3), np.float32), dim)
    with pytest.raises(ValueError, match="dim"):
        F.log_softmax(np.zeros((2, 3), np.float32), dim)


# ------------------------------------------------- explicit backward, threads, ISAs

def test_explicit_backward_functions_match_autograd(rng):
    x = rand(rng, (3, 4, 5))
    g = rand(rng, (3, 4, 5))
    for fwd, back, saved in [(F.sigmoid, cc._C.sigmoid_backward, "output"),
                             (F.tanh, cc._C.tanh_backward, "output"),
                             (F.scaled_tanh, cc._C.scaled_tanh_backward, "output"),
                             (lambda v: F.softmax(v, 1), lambda g, y: cc._C.softmax_backward(g, y, 1), "output"),
                             (lambda v: F.log_softmax(v, 2), lambda g, y: cc._C.log_softmax_backward(g, y, 2), "output"),
                             (lambda v: F.leaky_relu(v, 0.1), lambda g, v: cc._C.leaky_relu_backward(g, v, 0.1), "input")]:
        t = cc.tensor(x, requires_grad=True)
        y = fwd(t)
        y.backward(cc.tensor(g))
        explicit = back(g, y.detach() if saved == "output" else x)
        np.testing.assert_array_equal(np.asarray(explicit), t.grad.numpy())


def test_results_do_not_depend_on_thread_count(rng):
    x = rand(rng, (64, 1000))
    y = rand(rng, (8, 300, 70))
    before = cc.get_num_threads()
    outs = []
    try:
        for threads in (1, 2, 3):
            cc.set_num_threads(threads)
            outs.append([np.asarray(f).copy() for f in (F.softmax(x, 1), F.log_softmax(y, 1),
                                                         F.sigmoid(y), F.tanh(x))])
    finally:
        cc.set_num_threads(before)
    for other in outs[1:]:
        for a, b in zip(outs[0], other):
            np.testing.assert_array_equal(a, b)


def test_instruction_set_levels_agree(rng):
    x = rand(rng, (5, 300, 7))
    previous = cc.get_isa()
    results = []
    try:
        for isa in cc.compiled_isas():
            if isa not in ("scalar", "avx2", "avx512"):
                continue
            try:
                cc.set_isa(isa)
            except ValueError:
                continue  # not runnable on this CPU
            results.append([np.asarray(f).copy() for f in (
                F.softmax(x, 1), F.log_softmax(x, 2), F.sigmoid(x), F.tanh(x), F.scaled_tanh(x),
                F.leaky_relu(x, 0.1))])
    finally:
        cc.set_isa(previous)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_allclose(a, b, rtol=3e-7, atol=1e-6)


def test_tensor_methods_and_top_level_names(rng):
    x = rand(rng, (3, 4))
    t = cc.tensor(x)
    np.testing.assert_array_equal(np.asarray(t.sigmoid()), np.asarray(F.sigmoid(x)))
    np.testing.assert_array_equal(np.asarray(t.tanh()), np.asarray(cc.tanh(x)))
    np.testing.assert_array_equal(np.asarray(t.softmax(1)), np.asarray(F.softmax(x, 1)))
    np.testing.assert_array_equal(np.asarray(t.log_softmax(0)), np.asarray(F.log_softmax(x, 0)))
    assert F.sigmoid(cc.tensor(x, requires_grad=True)).grad_fn == "SigmoidBackward"


def test_leaf_gradients_are_never_shared():
    # The engine keeps a gradient no one else holds as .grad without a copy;
    # one handed to two leaves (a + b: the same gradient for both) or held by
    # the caller must still be copied.
    a = cc.tensor(np.ones(3, np.float32), requires_grad=True)
    b = cc.tensor(np.ones(3, np.float32), requires_grad=True)
    g = cc.tensor(np.full(3, 2.0, np.float32))
    (a + b).backward(g)
    (a * 3.0).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [5.0, 5.0, 5.0])
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0, 2.0])
    x = cc.tensor(np.ones(3, np.float32), requires_grad=True)
    x.backward(g)  # backward on a leaf: the seed is the caller's
    x.backward(g)
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0, 4.0])


@pytest.mark.parametrize("fn", [F.sigmoid, F.tanh, F.scaled_tanh, F.leaky_relu,
                                lambda v: F.softmax(v, 0)])
def test_bad_input_type(fn):
    with pytest.raises(TypeError, match="input"):
        fn("not an array")
    with pytest.raises(TypeError, match="input"):
        fn(np.array(["a", "b"]))


def test_backward_shape_mismatch_names_grad_output():
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.sigmoid_backward(np.zeros(3, np.float32), np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.softmax_backward(np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32), 1)


def test_pytorch_only_arguments(torch):
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="inplace"):
        F.leaky_relu(x, 0.1, inplace=True)
    np.testing.assert_array_equal(np.asarray(F.softmax(x, 1, 3, np.float32)),
                                  np.asarray(F.softmax(x, 1, dtype=torch.float32)))
    with pytest.raises(TypeError, match="dtype"):
        F.log_softmax(x, 1, dtype=np.float64)
