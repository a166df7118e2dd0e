"""dropout, dropout2d and the random stream: the inverted-dropout scale,
keep rate, independence of neighbouring draws, reproducibility from
manual_seed at any thread count and instruction-set level, the backward
through the regenerated mask, evaluation mode, errors."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F


def ones(shape):
    return np.ones(shape, np.float32)


def test_scale_and_keep_rate(isa):
    cc.manual_seed(1)
    n, p = 1_000_000, 0.3
    y = np.asarray(F.dropout(ones(n), p))
    kept = y != 0
    np.testing.assert_array_equal(y[kept], np.float32(1 / (1 - p)))
    sigma = np.sqrt(p * (1 - p) / n)
    assert abs((1 - kept.mean()) - p) < 5 * sigma


@pytest.mark.parametrize("p", [0.05, 0.5, 0.9])
def test_draws_are_uncorrelated(p):
    cc.manual_seed(7)
    m = (np.asarray(F.dropout(ones(400_000), p)) != 0).astype(np.float64)
    for lag in (1, 2, 7, 64):
        r = np.corrcoef(m[:-lag], m[lag:])[0, 1]
        assert abs(r) < 0.01, (lag, r)
    # The 2-D layout must not show structure either: rows of 4096 (fc6).
    rows = m[: 97 * 4096].reshape(97, 4096)
    assert abs(np.corrcoef(rows[:-1].ravel(), rows[1:].ravel())[0, 1]) < 0.01


def test_manual_seed_reproduces_masks_and_successive_calls_differ():
    x = ones((64, 300))
    cc.manual_seed(123)
    a1, a2 = np.asarray(F.dropout(x)).copy(), np.asarray(F.dropout(x)).copy()
    cc.manual_seed(123)
    b1, b2 = np.asarray(F.dropout(x)).copy(), np.asarray(F.dropout(x)).copy()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
    cc.manual_seed(124)
    assert not np.array_equal(np.asarray(F.dropout(x)), a1)
    assert cc.initial_seed() == 124


def test_same_masks_at_any_thread_count_and_isa():
    x = ones((8, 50_000))  # many parallel chunks
    before, previous = cc.get_num_threads(), cc.get_isa()
    masks = []
    try:
        for isa in cc.compiled_isas():
            try:
                cc.set_isa(isa)
            except ValueError:
                continue
            for threads in (1, 2, 3):
                cc.set_num_threads(threads)
                cc.manual_seed(99)
                masks.append((np.asarray(F.dropout(x, 0.4)).copy(),
                              np.asarray(F.dropout2d(x.reshape(8, 100, 500), 0.4)).copy()))
    finally:
        cc.set_num_threads(before)
        cc.set_isa(previous)
    for other in masks[1:]:
        np.testing.assert_array_equal(masks[0][0], other[0])
        np.testing.assert_array_equal(masks[0][1], other[1])


def test_backward_uses_the_forward_mask(rng):
    x = rng.standard_normal((5, 7, 9)).astype(np.float32) + 3.0  # no zeros
    g = rng.standard_normal(x.shape).astype(np.float32)
    for fn in (F.dropout, F.dropout2d):
        t = cc.tensor(x, requires_grad=True)
        y = fn(t, 0.4)
        # Another draw in between must not disturb the regenerated mask.
        F.dropout(ones(1000), 0.5)
        y.backward(cc.tensor(g))
        mask = np.asarray(y) / x  # 0 or 1/(1-p)
        np.testing.assert_allclose(t.grad.numpy(), g * mask, rtol=1e-6)
        np.testing.assert_allclose(np.unique(np.round(mask, 5)), [0.0, 1 / 0.6], rtol=1e-5)


def test_finite_differences_for_a_fixed_mask(rng):
    # With the seed fixed, dropout is a linear map: its gradient is the mask.
    x = rng.standard_normal((3, 4)).astype(np.float32)
    cc.manual_seed(5)
    t = cc.tensor(x, requires_grad=True)
    y = F.dropout(t, 0.5)
    y.sum().backward()
    eps = 1e-2
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        cc.manual_seed(5)
        up = np.asarray(F.dropout(xp, 0.5)).astype(np.float64).sum()
        cc.manual_seed(5)
        down = np.asarray(F.dropout(xm, 0.5)).astype(np.float64).sum()
        assert abs((up - down) / (2 * eps) - t.grad.numpy()[i]) < 1e-3


def test_dropout2d_zeroes_whole_channels(isa):
    cc.manual_seed(3)
    x = ones((16, 64, 5, 5))
    y = np.asarray(F.dropout2d(x, 0.5))
    per_channel = y.reshape(16, 64, -1)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # constant per (n, c)
    zeroed = (per_channel[:, :, 0] == 0).mean()
    assert 0.4 < zeroed < 0.6
    np.testing.assert_array_equal(np.unique(y), [0.0, 2.0])
    y3 = np.asarray(F.dropout2d(ones((4, 30, 7)), 0.5)).reshape(4, 30, 7)  # [N, C, L]
    assert np.all(y3.min(axis=2) == y3.max(axis=2))


def test_evaluation_mode_and_edge_probabilities(torch):
    x = np.arange(-3, 3, dtype=np.float32)
    t = cc.tensor(x)
    assert F.dropout(t, 0.5, training=False) is t
    np.testing.assert_array_equal(np.asarray(F.dropout(x, 0.0)), x)
    np.testing.assert_array_equal(np.asarray(F.dropout2d(x.reshape(1, 2, 3), 0.0)), x.reshape(1, 2, 3))
    # p = 1: x * 0, as torch (NaN stays NaN).
    xn = np.array([1.0, np.nan, -2.0], np.float32)
    np.testing.assert_array_equal(np.asarray(F.dropout(xn, 1.0)),
                                  torch.nn.functional.dropout(torch.tensor(xn), 1.0).numpy())
    leaf = cc.tensor(x, requires_grad=True)
    F.dropout(leaf, 1.0).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.zeros(6))
    assert F.dropout(np.zeros((0, 3), np.float32)).shape == (0, 3)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_bad_probability(p):
    with pytest.raises(ValueError, match="p .*between 0 and 1"):
        F.dropout(ones(3), p)
    with pytest.raises(ValueError, match="p .*between 0 and 1"):
        F.dropout2d(ones((1, 2, 3)), p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(ones(3), p, training=False)  # checked in evaluation too, as torch


def test_dropout2d_needs_channels():
    with pytest.raises(ValueError, match="input must be"):
        F.dropout2d(ones(5))


def test_manual_seed_arguments():
    cc.manual_seed(-1)
    assert cc.initial_seed() == 2**64 - 1
    cc.manual_seed(2**64 - 1)
    a = np.asarray(F.dropout(ones(100))).copy()
    cc.manual_seed(-1)
    np.testing.assert_array_equal(np.asarray(F.dropout(ones(100))), a)
    with pytest.raises(ValueError, match="seed"):
        cc.manual_seed(2**64)
    with pytest.raises(TypeError, match="seed"):
        cc.manual_seed(1.5)
    cc.manual_seed(0)


def test_inplace_is_refused():
    with pytest.raises(ValueError, match="inplace"):
        F.dropout(ones(3), 0.5, True, True)
    with pytest.raises(ValueError, match="inplace"):
        F.dropout2d(ones((1, 2, 3)), inplace=True)
