"""Losses: cross_entropy (class indices and probabilities, weights,
ignore_index, label smoothing), nll_loss, binary_cross_entropy_with_logits,
mse_loss. Values and gradients (input, and target where torch gives one)
against torch 2.13.0 and float64 NumPy, finite differences, stability at
extreme logits, explicit backward functions, legacy arguments, errors."""
import warnings

import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import layer_reference as ref
from gradcheck import check_fd

REDUCTIONS = ["mean", "sum", "none"]


def rand(rng, shape, scale=2.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def compare(torch, cc_fn, t_fn, arrays, grad_of, rtol=1e-5, atol=1e-6, seed=0):
    """cc_fn(*tensors) against t_fn(*float64 torch tensors): value, then the
    gradients of sum(loss * w) w.r.t. the arrays at positions grad_of."""
    xs = [cc.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=i in grad_of)
          for i, a in enumerate(arrays)]
    out, want = cc_fn(*xs), t_fn(*ts)
    assert out.shape == tuple(want.shape)
    np.testing.assert_allclose(np.asarray(out), want.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(seed).standard_normal(out.shape).astype(np.float32)
    (out * cc.tensor(w)).sum().backward()
    (want * torch.tensor(w, dtype=torch.float64)).sum().backward()
    for i in grad_of:
        np.testing.assert_allclose(xs[i].grad.numpy(), ts[i].grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of argument {i}")
    return out


# ------------------------------------------------------------ class indices

INDEX_SHAPES = [((4, 5), (4,)), ((3, 4, 6), (3, 6)), ((2, 3, 4, 5), (2, 4, 5)), ((6,), ()),
                ((1, 1), (1,)), ((2, 3, 2, 2, 3), (2, 2, 2, 3)), ((32, 1000), (32,))]


def targets(rng, tshape, C, ignore=None):
    t = rng.integers(0, C, size=tshape).astype(np.int64)
    if ignore is not None and t.size > 1:
        t.reshape(-1)[::3] = ignore
    return t


@pytest.mark.parametrize("shape,tshape", INDEX_SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_indices_against_torch(torch, rng, shape, tshape, reduction, weighted,
                                             smoothing):
    C = shape[0] if len(shape) == 1 else shape[1]
    x = rand(rng, shape)
    t = targets(rng, tshape, C, ignore=-100 if len(tshape) else None)
    w = rng.uniform(0.2, 2.0, C).astype(np.float32) if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    out = compare(torch, lambda x: F.cross_entropy(x, t, w, **kw),
                  lambda x: torch.nn.functional.cross_entropy(
                      x, torch.tensor(t), None if w is None else torch.tensor(w, dtype=torch.float64),
                      **kw), [x], grad_of=[0])
    np.testing.assert_allclose(np.asarray(out), ref.cross_entropy(x, t, w, -100, reduction, smoothing),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ignore_index", [-100, 2, -1])
def test_nll_loss_against_torch(torch, rng, ignore_index):
    x = rand(rng, (7, 4, 3))
    t = rng.integers(0, 4, (7, 3)).astype(np.int64)
    t[0, :] = ignore_index if ignore_index >= 0 or ignore_index == -100 else 1
    if ignore_index == -1:
        t[1, 1] = -1
    w = rng.uniform(0.5, 1.5, 4).astype(np.float32)
    for reduction in REDUCTIONS:
        for weight in (None, w):
            kw = dict(ignore_index=ignore_index, reduction=reduction)
            out = compare(torch, lambda x: F.nll_loss(x, t, weight, **kw),
                          lambda x: torch.nn.functional.nll_loss(
                              x, torch.tensor(t),
                              None if weight is None else torch.tensor(weight, dtype=torch.float64), **kw),
                          [x], grad_of=[0])
            np.testing.assert_allclose(np.asarray(out), ref.nll_loss(x, t, weight, ignore_index, reduction),
                                       rtol=1e-6, atol=1e-6)


def test_cross_entropy_finite_differences(rng):
    x = rand(rng, (3, 4, 2), 1.0)
    t = np.array([[0, 3], [-100, 1], [2, 2]])
    w = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
    check_fd(lambda x: F.cross_entropy(x, t, w, label_smoothing=0.1),
             lambda x: ref.cross_entropy(x, t, w, -100, "mean", 0.1), [x])
    check_fd(lambda x: F.nll_loss(x, t, reduction="none"),
             lambda x: ref.nll_loss(x, t, None, -100, "none"), [x])


def test_all_targets_ignored_gives_nan_mean(torch):
    x = np.zeros((2, 3), np.float32)
    t = np.array([-100, -100])
    got = F.cross_entropy(x, t).item()
    want = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t)).item()
    assert np.isnan(got) and np.isnan(want)
    assert F.cross_entropy(x, t, reduction="sum").item() == 0.0


def test_cross_entropy_is_stable_at_extreme_logits(isa):
    x = np.array([[1e4, -1e4, 0.0], [-1e30, 1e30, 5.0], [88.0, 89.0, 90.0]], np.float32)
    t = np.array([0, 1, 2])
    loss = np.asarray(F.cross_entropy(x, t, reduction="none"))
    np.testing.assert_allclose(loss, ref.cross_entropy(x, t, reduction="none"), rtol=1e-5, atol=1e-6)
    leaf = cc.tensor(x, requires_grad=True)
    F.cross_entropy(leaf, np.array([1, 0, 0])).backward()
    assert np.all(np.isfinite(leaf.grad.numpy()))


def test_target_dtypes_and_lists(torch, rng):
    x = rand(rng, (3, 4))
    for t in (np.array([0, 3, 1], np.int32), np.array([0, 3, 1], np.uint8), [0, 3, 1]):
        np.testing.assert_allclose(F.cross_entropy(x, t).item(),
                                   ref.cross_entropy(x, np.array([0, 3, 1])), rtol=1e-6)


# ------------------------------------------------------ class probabilities

PROB_SHAPES = [(4, 5), (3, 4, 6), (2, 3, 2, 2), (6,)]


@pytest.mark.parametrize("shape", PROB_SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probabilities_against_torch(torch, rng, shape, reduction, weighted, smoothing):
    dim = 0 if len(shape) == 1 else 1
    C = shape[dim]
    x = rand(rng, shape)
    y = ref.softmax(rand(rng, shape), dim).astype(np.float32)
    w = rng.uniform(0.2, 2.0, C).astype(np.float32) if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    out = compare(torch, lambda x, y: F.cross_entropy(x, y, w, **kw),
                  lambda x, y: torch.nn.functional.cross_entropy(
                      x, y, None if w is None else torch.tensor(w, dtype=torch.float64), **kw),
                  [x, y], grad_of=[0, 1])
    np.testing.assert_allclose(np.asarray(out), ref.cross_entropy_probs(x, y, w, reduction, smoothing),
                               rtol=1e-5, atol=1e-6)


def test_probability_target_finite_differences(rng):
    x, y = rand(rng, (2, 3, 2), 1.0), rng.uniform(0, 1, (2, 3, 2)).astype(np.float32)
    w = np.array([1.0, 0.5, 2.0], np.float32)
    check_fd(lambda x, y: F.cross_entropy(x, y, w, label_smoothing=0.2),
             lambda x, y: ref.cross_entropy_probs(x, y, w, "mean", 0.2), [x, y])


def test_float_array_target_means_probabilities(rng):
    x = rand(rng, (3, 4))
    y = ref.softmax(rand(rng, (3, 4)), 1)
    np.testing.assert_allclose(F.cross_entropy(x, y).item(), ref.cross_entropy_probs(x, y), rtol=1e-5)


# -------------------------------------------------------------- elementwise

@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4, 5), ()])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_against_torch(torch, rng, shape, reduction):
    x = rand(rng, shape, 4.0)
    y = rng.uniform(0, 1, shape).astype(np.float32)
    weight = rng.uniform(0.5, 2.0, shape).astype(np.float32)
    pos_weight = rng.uniform(0.5, 3.0, shape[-1:]).astype(np.float32)  # [C] (0-d for a 0-d input)
    for w, pw in [(None, None), (weight, None), (None, pos_weight), (weight[..., :1] if shape else weight, pos_weight)]:
        def t_fn(x, y):
            tw = None if w is None else torch.tensor(w, dtype=torch.float64)
            tp = None if pw is None else torch.tensor(pw, dtype=torch.float64)
            return torch.nn.functional.binary_cross_entropy_with_logits(
                x, y, tw, reduction=reduction, pos_weight=tp)
        out = compare(torch, lambda x, y: F.binary_cross_entropy_with_logits(
            x, y, w, reduction=reduction, pos_weight=pw), t_fn, [x, y], grad_of=[0, 1])
        np.testing.assert_allclose(np.asarray(out), ref.bce_with_logits(x, y, w, reduction, pw),
                                   rtol=1e-5, atol=1e-6)


def test_bce_with_logits_stable_and_finite_differences(rng):
    x = np.array([-1e4, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4], np.float32)
    y = np.array([0.0, 1.0, 0.5, 1.0, 0.0, 1.0, 0.3], np.float32)
    loss = np.asarray(F.binary_cross_entropy_with_logits(x, y, reduction="none"))
    np.testing.assert_allclose(loss, ref.bce_with_logits(x, y, reduction="none"), rtol=1e-6, atol=1e-40)
    assert np.all(np.isfinite(loss))
    xs, ys = rand(rng, (3, 4), 1.0), rng.uniform(0, 1, (3, 4)).astype(np.float32)
    pw = np.array([0.5, 1.0, 2.0, 3.0], np.float32)
    check_fd(lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw),
             lambda x, y: ref.bce_with_logits(x, y, pos_weight=pw), [xs, ys])


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4, 5), (), (70, 300)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_against_torch(torch, rng, shape, reduction):
    x, y = rand(rng, shape), rand(rng, shape)
    out = compare(torch, lambda x, y: F.mse_loss(x, y, reduction=reduction),
                  lambda x, y: torch.nn.functional.mse_loss(x, y, reduction=reduction), [x, y],
                  grad_of=[0, 1])
    np.testing.assert_allclose(np.asarray(out), ref.mse_loss(x, y, reduction), rtol=1e-6, atol=1e-6)


def test_mse_loss_broadcast_and_weight(torch, rng):
    x, y = rand(rng, (3, 4)), rand(rng, (4,))
    with pytest.warns(UserWarning, match="different to the input size"):
        out = compare(torch, lambda x, y: F.mse_loss(x, y),
                      lambda x, y: torch.nn.functional.mse_loss(x, y), [x, y], grad_of=[0, 1])
    w = rng.uniform(0.1, 1.0, (3, 4)).astype(np.float32)
    for reduction in REDUCTIONS:
        compare(torch, lambda x, y, w: F.mse_loss(x, y, reduction=reduction, weight=w),
                lambda x, y, w: torch.nn.functional.mse_loss(x, y, reduction=reduction, weight=w),
                [x, rand(rng, (3, 4)), w], grad_of=[0, 1, 2])


def test_mse_finite_differences(rng):
    check_fd(lambda x, y: F.mse_loss(x, y, reduction="sum"),
             lambda x, y: ref.mse_loss(x, y, "sum"), [rand(rng, (2, 3)), rand(rng, (2, 3))])


# ------------------------------------------------ explicit backward, legacy, threads

def test_explicit_backward_functions_match_autograd(rng):
    x, g = rand(rng, (4, 5, 3)), np.float32(0.7)
    t = rng.integers(0, 5, (4, 3))
    y = ref.softmax(rand(rng, (4, 5, 3)), 1).astype(np.float32)
    w = rng.uniform(0.5, 1.5, 5).astype(np.float32)
    C = cc._C

    def autograd(fn, arrays):
        leaves = [cc.tensor(a, requires_grad=True) for a in arrays]
        fn(*leaves).backward(cc.tensor(np.array(g)))
        return [leaf.grad.numpy() for leaf in leaves]

    gi = C.cross_entropy_backward_indices(np.array(g), x, t, w, -100, "mean", 0.1)
    np.testing.assert_allclose(np.asarray(gi),
                               autograd(lambda x: F.cross_entropy(x, t, w, label_smoothing=0.1), [x])[0],
                               rtol=1e-6, atol=1e-8)
    gp = C.cross_entropy_backward_probs(np.array(g), x, y, w, "sum", 0.0)
    for mine, theirs in zip(gp, autograd(lambda x, y: F.cross_entropy(x, y, w, reduction="sum"), [x, y])):
        np.testing.assert_allclose(np.asarray(mine), theirs, rtol=1e-6, atol=1e-8)
    lp = np.asarray(F.log_softmax(x, 1))
    np.testing.assert_array_equal(np.asarray(C.nll_loss_backward(np.array(g), lp, t, w)),
                                  autograd(lambda v: F.nll_loss(v, t, w), [lp])[0])
    yb = rng.uniform(0, 1, x.shape).astype(np.float32)
    gb = C.binary_cross_entropy_with_logits_backward(np.array(g), x, yb, None, "mean", None)
    for mine, theirs in zip(gb, autograd(lambda a, b: F.binary_cross_entropy_with_logits(a, b), [x, yb])):
        np.testing.assert_array_equal(np.asarray(mine), theirs)
    gm = C.mse_loss_backward(np.array(g), x, yb, "mean")
    for mine, theirs in zip(gm, autograd(lambda a, b: F.mse_loss(a, b), [x, yb])):
        np.testing.assert_array_equal(np.asarray(mine), theirs)


def test_legacy_size_average_and_reduce(rng):
    x, t = rand(rng, (4, 3)), np.array([0, 1, 2, 1])
    mean = F.cross_entropy(x, t).item()
    assert F.cross_entropy(x, t, size_average=False).item() == pytest.approx(4 * mean, rel=1e-6)
    assert F.cross_entropy(x, t, reduce=False).shape == (4,)
    assert F.nll_loss(F.log_softmax(x, 1), t, None, True, -100, True).item() == pytest.approx(mean, rel=1e-6)
    assert F.mse_loss(x, x * 2, size_average=False).item() == pytest.approx(float((x.astype(np.float64) ** 2).sum()), rel=1e-6)


def test_reduced_losses_do_not_depend_on_thread_count(rng):
    x, y = rand(rng, (300, 400)), rand(rng, (300, 400))
    xc, t = rand(rng, (64, 10, 40)), rng.integers(0, 10, (64, 40))
    before = cc.get_num_threads()
    runs = []
    try:
        for threads in (1, 2, 3):
            cc.set_num_threads(threads)
            runs.append([F.mse_loss(x, y).item(),
                         F.binary_cross_entropy_with_logits(x, (y > 0).astype(np.float32)).item(),
                         F.cross_entropy(xc, t).item()])
    finally:
        cc.set_num_threads(before)
    assert runs[0] == runs[1] == runs[2]


# ------------------------------------------------------------------- errors

def test_errors():
    x = np.zeros((3, 4), np.float32)
    t = np.array([0, 1, 2])
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, t, reduction="average")
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="Mean")
    with pytest.raises(ValueError, match="reduction"):
        F.binary_cross_entropy_with_logits(x, x, reduction="")
    with pytest.raises(ValueError, match="target value 4 .*out of range"):
        F.cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="target value -1 .*out of range"):
        F.nll_loss(x, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="target must have shape"):
        F.cross_entropy(x, np.array([0, 1]))
    with pytest.raises(ValueError, match="target must have shape"):
        F.cross_entropy(np.zeros((2, 3, 4), np.float32), np.zeros((2, 3), np.int64))
    with pytest.raises(ValueError, match="target"):
        F.cross_entropy(x, np.zeros((3, 5), np.float32))  # probabilities of the wrong shape
    with pytest.raises(ValueError, match="weight"):
        F.cross_entropy(x, t, weight=np.ones(3, np.float32))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, t, label_smoothing=1.5)
    with pytest.raises(ValueError, match="input"):
        F.cross_entropy(np.float32(1.0), np.array(0))
    with pytest.raises(TypeError, match="target"):
        F.cross_entropy(x, np.array([True, False, True]))
    with pytest.raises(TypeError, match="target"):
        F.nll_loss(x, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="target size"):
        F.binary_cross_entropy_with_logits(x, np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="pos_weight"):
        F.binary_cross_entropy_with_logits(x, x, pos_weight=np.ones(3, np.float32))
    with pytest.raises(ValueError, match="weight"):
        F.binary_cross_entropy_with_logits(x, x, weight=np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match="weight"):
        F.mse_loss(x, x, weight=np.ones(4, np.float32))
    with pytest.raises(ValueError, match="broadcast"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F.mse_loss(x, np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.mse_loss_backward(np.zeros(3, np.float32), x, x, "mean")
    with pytest.raises(ValueError, match="grad_output"):
        cc._C.nll_loss_backward(np.zeros(4, np.float32), x, t, None, -100, "none")
