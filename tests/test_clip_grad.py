"""convcore.optim.clip_grad_norm_ / clip_grad_value_ / get_total_norm against
torch.nn.utils at every instruction-set level: norms of several orders,
clipping and not clipping, skipped parameters, non-finite gradients, thread
counts, and errors."""
import numpy as np
import pytest

import convcore as cc
from convcore import optim

SHAPES = [(3, 4), (7,), (2, 2, 5), (150001,)]  # the last one spans several chunks


def _grads(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * scale).astype(np.float32) for s in SHAPES]


def _cc_params(grads):
    ps = []
    for g in grads:
        p = cc.tensor(np.zeros(g.shape, np.float32), requires_grad=True)
        if g is not None:
            p.grad = cc.tensor(g.copy())
        ps.append(p)
    return ps


def _torch_params(torch, grads):
    ps = []
    for g in grads:
        p = torch.zeros(g.shape, requires_grad=True)
        p.grad = torch.tensor(g.copy())
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0, 0.5, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e30])
def test_clip_grad_norm_matches_torch(torch, isa, norm_type, max_norm):
    grads = _grads()
    mine = _cc_params(grads)
    ref = _torch_params(torch, grads)
    total = optim.clip_grad_norm_(mine, max_norm, norm_type)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type)
    assert isinstance(total, float)
    # convcore sums in float64, torch in float32 (off by ~2e-5 for the 3-norm here): the exact
    # norm is the reference, torch a looser check.
    flat = np.abs(np.concatenate([g.ravel() for g in grads]).astype(np.float64))
    p = float(norm_type)
    exact = flat.max() if np.isinf(p) else (flat ** p).sum() ** (1.0 / p)
    assert total == pytest.approx(exact, rel=1e-9)
    assert total == pytest.approx(float(ref_total), rel=1e-4)
    for m, r in zip(mine, ref):
        np.testing.assert_allclose(np.asarray(m.grad), r.grad.numpy(), rtol=1e-4, atol=1e-7)
    if max_norm > 1e29:  # not clipped: untouched
        for m, g in zip(mine, grads):
            np.testing.assert_array_equal(np.asarray(m.grad), g)


def test_total_norm_is_the_norm_of_all_values():
    grads = _grads(seed=3)
    flat = np.concatenate([g.ravel() for g in grads]).astype(np.float64)
    tensors = [cc.tensor(g) for g in grads]
    assert optim.get_total_norm(tensors) == pytest.approx(np.sqrt((flat ** 2).sum()), rel=1e-12)
    assert optim.get_total_norm(tensors, 1) == pytest.approx(np.abs(flat).sum(), rel=1e-12)
    assert optim.get_total_norm(tensors, "inf") == np.abs(flat).max()
    assert optim.get_total_norm([]) == 0.0


def test_parameters_without_grad_are_skipped_and_a_single_tensor_works(torch):
    grads = _grads(seed=1)
    mine = _cc_params(grads)
    mine[1].grad = None
    ref = _torch_params(torch, grads)
    ref[1].grad = None
    total = optim.clip_grad_norm_(mine, 1.0)
    assert total == pytest.approx(float(torch.nn.utils.clip_grad_norm_(ref, 1.0)), rel=1e-5)
    assert mine[1].grad is None
    one = _cc_params(grads[:1])[0]
    assert optim.clip_grad_norm_(one, 1e9) == pytest.approx(float(np.linalg.norm(grads[0])),
                                                            rel=1e-6)
    assert optim.clip_grad_norm_([cc.tensor(np.zeros(2, np.float32), requires_grad=True)],
                                 1.0) == 0.0


def test_thread_count_does_not_change_the_norm():
    grads = _grads(seed=2)
    previous = cc.get_num_threads()
    try:
        cc.set_num_threads(1)
        one = optim.get_total_norm([cc.tensor(g) for g in grads])
        cc.set_num_threads(2)
        two = optim.get_total_norm([cc.tensor(g) for g in grads])
    finally:
        cc.set_num_threads(previous)
    assert one == two


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_norm(torch, bad):
    grads = _grads()
    grads[0][1, 2] = bad
    mine = _cc_params(grads)
    with pytest.raises(RuntimeError, match="non-finite"):
        optim.clip_grad_norm_(mine, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(np.asarray(mine[2].grad), grads[2])  # left untouched
    total = optim.clip_grad_norm_(mine, 1.0)
    ref = _torch_params(torch, grads)
    ref_total = float(torch.nn.utils.clip_grad_norm_(ref, 1.0))
    assert (np.isnan(total) and np.isnan(ref_total)) or total == ref_total
    for m, r in zip(mine, ref):
        np.testing.assert_array_equal(np.asarray(m.grad), r.grad.numpy())


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 2.5])
def test_clip_grad_value_matches_torch(torch, isa, clip_value):
    grads = _grads(scale=2.0)
    grads[0][0, 0] = np.nan
    mine = _cc_params(grads)
    ref = _torch_params(torch, grads)
    assert optim.clip_grad_value_(mine, clip_value) is None
    torch.nn.utils.clip_grad_value_(ref, clip_value)
    for m, r in zip(mine, ref):
        np.testing.assert_array_equal(np.asarray(m.grad), r.grad.numpy())


def test_errors():
    ps = _cc_params(_grads())
    with pytest.raises(ValueError, match="max_norm must be >= 0"):
        optim.clip_grad_norm_(ps, -1.0)
    with pytest.raises(ValueError, match="norm_type must be > 0 or inf"):
        optim.clip_grad_norm_(ps, 1.0, norm_type=0)
    with pytest.raises(TypeError, match="norm_type"):
        optim.clip_grad_norm_(ps, 1.0, norm_type="two")
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        optim.clip_grad_value_(ps, -0.1)
    with pytest.raises(TypeError, match="item 1 is a ndarray"):
        optim.clip_grad_norm_([ps[0], np.ones(3, np.float32)], 1.0)
    with pytest.raises(TypeError, match="item 0 is a list"):
        optim.clip_grad_value_([[1.0]], 1.0)
