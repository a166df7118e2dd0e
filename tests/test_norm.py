"""batch_norm and local_response_norm: forward, running statistics and
gradients against float64 NumPy and torch 2.13.0, finite differences,
every instruction-set level, thread-count independence, errors."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import layer_reference as ref
from gradcheck import check_fd


def rand(rng, shape, scale=1.0, shift=0.0):
    return (rng.standard_normal(shape) * scale + shift).astype(np.float32)


# ---------------------------------------------------------------- batch norm

BN_SHAPES = [(4, 3), (2, 5, 7), (3, 4, 5, 6), (2, 3, 2, 3, 4), (1, 2, 33), (2, 1, 1, 1), (16, 70),
             (2, 17, 9, 9)]


def torch_bn(torch, x, rm, rv, w, b, training, momentum, eps):
    """torch in float64: output, running stats, and the leaves for gradients."""
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = None if w is None else torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
    trm = None if rm is None else torch.tensor(rm, dtype=torch.float64)
    trv = None if rv is None else torch.tensor(rv, dtype=torch.float64)
    y = torch.nn.functional.batch_norm(tx, trm, trv, tw, tb, training, momentum, eps)
    return y, trm, trv, [tx, tw, tb]


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_against_torch_and_numpy(torch, isa, rng, shape, training, affine):
    C = shape[1]
    x = rand(rng, shape, 2.0, 0.5)
    w = rand(rng, C) if affine else None
    b = rand(rng, C) if affine else None
    rm, rv = rand(rng, C), rng.uniform(0.5, 2.0, C).astype(np.float32)
    momentum, eps = 0.2, 1e-3
    cc_rm, cc_rv = cc.tensor(rm), cc.tensor(rv)
    leaves = [cc.tensor(x, requires_grad=True)] + [
        None if a is None else cc.tensor(a, requires_grad=True) for a in (w, b)]
    y = F.batch_norm(leaves[0], cc_rm, cc_rv, leaves[1], leaves[2], training, momentum, eps)
    ty, trm, trv, tleaves = torch_bn(torch, x, rm, rv, w, b, training, momentum, eps)
    want, wrm, wrv = ref.batch_norm(x, rm, rv, w, b, training, momentum, eps)
    np.testing.assert_allclose(np.asarray(y), want, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(cc_rm.numpy(), wrm, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(cc_rv.numpy(), wrv, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(cc_rm.numpy(), trm.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(cc_rv.numpy(), trv.numpy(), rtol=1e-6, atol=1e-7)

    g = rand(rng, shape)
    y.backward(cc.tensor(g))
    ty.backward(torch.tensor(g, dtype=torch.float64))
    for mine, theirs, name in zip(leaves, tleaves, ["input", "weight", "bias"]):
        if mine is None:
            continue
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=2e-4, atol=2e-5,
                                   err_msg=name)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_finite_differences(rng, training):
    x = rand(rng, (3, 2, 4), 1.0, 0.3)
    w, b = rand(rng, 2), rand(rng, 2)
    rm, rv = rand(rng, 2), np.array([0.7, 1.3], np.float32)

    def np_fn(x, w, b):
        return ref.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5)[0]

    def cc_fn(x, w, b):
        # Copies of the running stats: every call of the check sees the same ones.
        return F.batch_norm(x, cc.tensor(rm), cc.tensor(rv), w, b, training, 0.1, 1e-5)

    check_fd(cc_fn, np_fn, [x, w, b], rtol=2e-3, atol=2e-4)


def test_batch_norm_without_running_stats_and_default_momentum(torch, rng):
    x = rand(rng, (5, 3, 4))
    y = F.batch_norm(x, None, None, training=True)
    want = torch.nn.functional.batch_norm(torch.tensor(x), None, None, training=True)
    np.testing.assert_allclose(np.asarray(y), want.numpy(), rtol=1e-5, atol=1e-6)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)  # float32 arrays: updated in place
    F.batch_norm(x, rm, rv, training=True)
    _, wrm, wrv = ref.batch_norm(x, np.zeros(3), np.ones(3), None, None, True, 0.1, 1e-5)
    np.testing.assert_allclose(rm, wrm, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(rv, wrv, rtol=1e-6)


def test_batch_norm_large_mean_keeps_variance_accurate(torch, isa, rng):
    # mean / std = 1e4: a one-pass E[x^2] - E[x]^2 in float would lose the
    # variance entirely, and x * invstd - mean * invstd (torch's form) rounds
    # at the scale of mean * invstd = 1e4. What is left is the rounding of
    # the float32 mean itself (ulp(100) / 2 / std = 2e-4).
    x = rand(rng, (8, 4, 50), 1e-2, 100.0)
    y = np.asarray(F.batch_norm(x, None, None, training=True, eps=1e-12))
    want = ref.batch_norm(x, None, None, None, None, True, 0.1, 1e-12)[0]
    np.testing.assert_allclose(y, want, rtol=0, atol=5e-4)
    theirs = torch.nn.functional.batch_norm(torch.tensor(x), None, None, training=True, eps=1e-12)
    assert np.abs(y - want).max() <= np.abs(theirs.numpy() - want).max()


def test_batch_norm_explicit_functions_match_autograd(rng):
    x, g = rand(rng, (4, 3, 5, 5)), rand(rng, (4, 3, 5, 5))
    w, b = rand(rng, 3), rand(rng, 3)
    for training in (True, False):
        rm, rv = np.zeros(3, np.float32), np.full(3, 1.5, np.float32)
        out, mean, invstd = cc._C.batch_norm_forward(x, rm.copy(), rv.copy(), w, b, training, 0.1, 1e-5)
        dx, dw, db, dr = cc._C.batch_norm_backward(g, x, w, mean, invstd, training)
        assert dr is None
        leaves = [cc.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = F.batch_norm(leaves[0], rm.copy(), rv.copy(), leaves[1], leaves[2], training)
        np.testing.assert_array_equal(np.asarray(out), np.asarray(y))
        y.backward(cc.tensor(g))
        for mine, leaf in zip((dx, dw, db), leaves):
            np.testing.assert_array_equal(np.asarray(mine), leaf.grad.numpy())
        none_w = cc._C.batch_norm_backward(g, x, w, mean, invstd, training, (True, False, False))
        assert none_w[1] is None and none_w[2] is None
        np.testing.assert_array_equal(np.asarray(none_w[0]), np.asarray(dx))


# The epilogue relu(bn(x) + residual): [N, C] rows, planes shorter than a
# vector, and planes longer than a summing chunk (1024 values).
EPILOGUE_SHAPES = [(6, 5), (3, 4, 5, 6), (2, 3, 40, 40)]


def torch_bn_epilogue(torch, x, w, b, r, relu, training, eps):
    """torch float64 relu(bn(x) + r) and the leaves x, w, b, r for gradients."""
    leaves = [None if a is None else torch.tensor(a, dtype=torch.float64, requires_grad=True)
              for a in (x, w, b, r)]
    rm, rv = torch.zeros(x.shape[1], dtype=torch.float64), torch.ones(x.shape[1], dtype=torch.float64)
    y = torch.nn.functional.batch_norm(leaves[0], rm + 0.25, rv * 1.5, leaves[1], leaves[2],
                                       training, 0.1, eps)
    if r is not None:
        y = y + leaves[3]
    return (torch.relu(y) if relu else y), leaves


@pytest.mark.parametrize("shape", EPILOGUE_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("residual,relu", [(False, True), (True, True), (True, False)])
def test_batch_norm_epilogue_against_torch(torch, isa, rng, shape, training, residual, relu):
    C = shape[1]
    x, g = rand(rng, shape, 2.0, 0.5), rand(rng, shape)
    w, b = rand(rng, C), rand(rng, C)
    r = rand(rng, shape) if residual else None
    leaves = [None if a is None else cc.tensor(a, requires_grad=True) for a in (x, w, b, r)]
    rm, rv = np.full(C, 0.25, np.float32), np.full(C, 1.5, np.float32)
    y = F.batch_norm(leaves[0], rm, rv, leaves[1], leaves[2], training, 0.1, 1e-3,
                     residual=leaves[3], relu=relu)
    ty, tleaves = torch_bn_epilogue(torch, x, w, b, r, relu, training, 1e-3)
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=1e-5, atol=2e-6)
    if relu:
        assert 0.05 < (np.asarray(y) == 0).mean() < 0.95  # the mask matters
    y.backward(cc.tensor(g))
    ty.backward(torch.tensor(g, dtype=torch.float64))
    for mine, theirs, name in zip(leaves, tleaves, ["input", "weight", "bias", "residual"]):
        if mine is not None:
            np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=2e-4,
                                       atol=2e-5, err_msg=name)


@pytest.mark.parametrize("shape", EPILOGUE_SHAPES)
def test_batch_norm_epilogue_equals_separate_ops(isa, rng, shape):
    # The fused passes do the separate ops' float arithmetic in the same
    # order, the relu mask included: the results agree to the last bits.
    C = shape[1]
    x, r, g = rand(rng, shape, 2.0, 0.5), rand(rng, shape), rand(rng, shape)
    w, b = rand(rng, C), rand(rng, C)
    runs = []
    for fused in (True, False):
        leaves = [cc.tensor(a, requires_grad=True) for a in (x, w, b, r)]
        bn = cc.nn.BatchNorm1d(C) if len(shape) == 2 else cc.nn.BatchNorm2d(C)
        bn.weight, bn.bias = cc.nn.Parameter(w), cc.nn.Parameter(b)
        if fused:
            y = bn(leaves[0], residual=leaves[3], relu=True)
        else:
            y = F.relu(bn(leaves[0]) + leaves[3])
        y.backward(cc.tensor(g))
        runs.append([np.asarray(y).copy(), bn.running_mean.numpy().copy(), leaves[0].grad.numpy(),
                     bn.weight.grad.numpy(), bn.bias.grad.numpy(), leaves[3].grad.numpy()])
    for a, b_, name in zip(*runs, ["output", "running_mean", "input", "weight", "bias",
                                   "residual"]):
        np.testing.assert_allclose(a, b_, rtol=1e-6, atol=1e-6, err_msg=name)


def test_batch_norm_epilogue_explicit_backward_matches_autograd(rng):
    x, r, g = rand(rng, (2, 3, 5, 5)), rand(rng, (2, 3, 5, 5)), rand(rng, (2, 3, 5, 5))
    w, b = rand(rng, 3), rand(rng, 3)
    for residual in (None, r):
        out, mean, invstd = cc._C.batch_norm_forward(x, None, None, w, b, True, 0.1, 1e-5,
                                                     residual=residual, relu=True)
        grads = cc._C.batch_norm_backward(g, x, w, mean, invstd, True, residual=residual,
                                          relu=True, bias=b)
        leaves = [cc.tensor(a, requires_grad=True) for a in (x, w, b, r)]
        y = F.batch_norm(leaves[0], None, None, leaves[1], leaves[2], True,
                         residual=None if residual is None else leaves[3], relu=True)
        np.testing.assert_array_equal(np.asarray(out), np.asarray(y))
        y.backward(cc.tensor(g))
        for mine, leaf in zip(grads, leaves if residual is not None else leaves[:3]):
            np.testing.assert_array_equal(np.asarray(mine), leaf.grad.numpy())
        assert (grads[3] is None) == (residual is None)


def test_batch_norm_epilogue_errors():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(ValueError, match="residual"):
        F.batch_norm(x, None, None, training=True, residual=np.zeros((2, 3, 5), np.float32))
    with pytest.raises(TypeError, match="relu"):
        F.batch_norm(x, None, None, training=True, relu=1)
    with pytest.raises(ValueError, match="residual"):
        cc._C.batch_norm_backward(x, x, None, np.zeros(3, np.float32), np.ones(3, np.float32),
                                  True, residual=np.zeros((2, 3), np.float32))


def test_batch_norm_does_not_depend_on_thread_count(rng):
    x, g = rand(rng, (8, 16, 20, 20), 3.0, 1.0), rand(rng, (8, 16, 20, 20))
    x2 = rand(rng, (64, 50), 3.0, 1.0)
    before = cc.get_num_threads()
    runs = []
    try:
        for threads in (1, 2, 3):
            cc.set_num_threads(threads)
            rm, rv = np.zeros(16, np.float32), np.ones(16, np.float32)
            t = cc.tensor(x, requires_grad=True)
            y = F.batch_norm(t, rm, rv, training=True)
            y.backward(cc.tensor(g))
            y2 = F.batch_norm(x2, None, None, training=True)
            runs.append([np.asarray(y).copy(), t.grad.numpy().copy(), rm, rv, np.asarray(y2).copy()])
    finally:
        cc.set_num_threads(before)
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)


def test_batch_norm_errors():
    x = np.zeros((2, 3, 4), np.float32)
    c3 = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="input must be"):
        F.batch_norm(np.zeros(3, np.float32), c3, c3)
    with pytest.raises(ValueError, match="input"):
        F.batch_norm(np.zeros((1,) * 6, np.float32), None, None, training=True)
    with pytest.raises(ValueError, match="running_mean"):
        F.batch_norm(x, np.zeros(4, np.float32), c3)
    with pytest.raises(ValueError, match="running_var"):
        F.batch_norm(x, c3, np.zeros((3, 1), np.float32))
    with pytest.raises(ValueError, match="weight"):
        F.batch_norm(x, c3, c3, weight=np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="bias"):
        F.batch_norm(x, c3, c3, bias=np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="both"):
        F.batch_norm(x, c3, None, training=True)
    with pytest.raises(ValueError, match="evaluation"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(np.zeros((1, 3), np.float32), c3, c3.copy(), training=True)
    with pytest.raises(ValueError, match="eps"):
        F.batch_norm(x, c3, c3, eps=-1.0)
    with pytest.raises(ValueError, match="eps must be positive during training"):
        F.batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(TypeError, match="running_mean"):
        F.batch_norm(x, np.zeros(3), c3)  # float64: an in-place update would be lost
    with pytest.raises(TypeError, match="running_var"):
        F.batch_norm(x, c3, [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="momentum"):
        F.batch_norm(x, c3, c3.copy() + 1, training=True, momentum=None)
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.batch_norm_backward(np.zeros((2, 3), np.float32), x, None, c3, c3, True)


# --------------------------------------------------------- local response norm

LRN_CASES = [((2, 7, 5), 5, 1e-4, 0.75, 2.0), ((2, 7, 3, 4), 5, 1e-2, 0.75, 1.0),
             ((1, 5, 2, 3, 3), 3, 0.5, 0.5, 1.0), ((2, 3, 4, 4), 5, 1.0, 0.75, 2.0),
             ((2, 6, 9, 9), 2, 0.3, 1.0, 0.5), ((1, 4, 70), 4, 2.0, 0.3, 1.5),
             ((3, 9, 1, 1), 1, 0.1, 0.75, 1.0), ((2, 8, 5, 13), 7, 0.9, 2.0, 1.0),
             ((1, 96, 11, 11), 5, 1e-4, 0.75, 2.0), ((2, 4, 3), 9, 0.5, 0.75, 1.0),
             ((1, 3, 130), 3, 0.2, 0.0, 1.0)]


@pytest.mark.parametrize("shape,size,alpha,beta,k", LRN_CASES)
def test_local_response_norm_against_torch_and_numpy(torch, check_torch, isa, rng, shape, size,
                                                      alpha, beta, k):
    x = rand(rng, shape, 2.0)
    out = check_torch(lambda v: F.local_response_norm(v, size, alpha, beta, k),
                      lambda v: torch.nn.functional.local_response_norm(v, size, alpha, beta, k),
                      [x], rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(np.asarray(out), ref.local_response_norm(x, size, alpha, beta, k),
                               rtol=1e-6, atol=1e-7)


def test_local_response_norm_finite_differences(rng):
    x = rand(rng, (2, 6, 2, 3), 1.5)
    check_fd(lambda v: F.local_response_norm(v, 3, 0.5, 0.75, 1.0),
             lambda v: ref.local_response_norm(v, 3, 0.5, 0.75, 1.0), [x], fwd_tol=2e-6)
    check_fd(lambda v: F.local_response_norm(v, 4, 2.0, 1.0, 0.5),
             lambda v: ref.local_response_norm(v, 4, 2.0, 1.0, 0.5), [x], fwd_tol=2e-6)


def test_local_response_norm_alexnet_defaults_and_backward(torch, rng):
    x = rand(rng, (2, 96, 7, 7), 30.0)  # large activations: the divisor matters
    t = torch.tensor(x)
    np.testing.assert_allclose(np.asarray(F.local_response_norm(x, 5, k=2.0)),
                               torch.nn.functional.local_response_norm(t, 5, k=2.0).numpy(),
                               rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(F.local_response_norm(x, 5)),
                               torch.nn.functional.local_response_norm(t, 5).numpy(), rtol=2e-6, atol=1e-6)
    g = rand(rng, x.shape)
    leaf = cc.tensor(x, requires_grad=True)
    F.local_response_norm(leaf, 5, 1e-4, 0.75, 2.0).backward(cc.tensor(g))
    np.testing.assert_array_equal(
        np.asarray(cc._C.local_response_norm_backward(g, x, 5, 1e-4, 0.75, 2.0)), leaf.grad.numpy())


def test_local_response_norm_threads_and_isas_agree(rng):
    x = rand(rng, (3, 20, 9, 15), 5.0)
    g = rand(rng, x.shape)
    before, previous = cc.get_num_threads(), cc.get_isa()
    outs = []
    try:
        for threads in (1, 2):
            cc.set_num_threads(threads)
            outs.append((np.asarray(F.local_response_norm(x, 5, 0.1, 0.75, 1.0)).copy(),
                         np.asarray(cc._C.local_response_norm_backward(g, x, 5, 0.1, 0.75, 1.0)).copy()))
        np.testing.assert_array_equal(outs[0][0], outs[1][0])
        np.testing.assert_array_equal(outs[0][1], outs[1][1])
        for isa in cc.compiled_isas():
            try:
                cc.set_isa(isa)
            except ValueError:
                continue
            np.testing.assert_allclose(np.asarray(F.local_response_norm(x, 5, 0.1, 0.75, 1.0)),
                                       outs[0][0], rtol=1e-6, atol=1e-7)
    finally:
        cc.set_num_threads(before)
        cc.set_isa(previous)


def test_local_response_norm_errors():
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        F.local_response_norm(np.zeros((2, 3), np.float32), 2)
    with pytest.raises(ValueError, match="size"):
        F.local_response_norm(np.zeros((2, 3, 4), np.float32), 0)
    with pytest.raises(ValueError, match="alpha"):
        F.local_response_norm(np.zeros((2, 3, 4), np.float32), 2, alpha=float("nan"))
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.local_response_norm_backward(np.zeros((2, 3, 5), np.float32),
                                           np.zeros((2, 3, 4), np.float32), 2)
    assert F.local_response_norm(np.zeros((0, 3, 4), np.float32), 2).shape == (0, 3, 4)
