"""linear: z = x W^T + b over any leading dims, forward and all three
gradients against torch 2.13.0 and float64 NumPy, finite differences, the
explicit backward, thread-count independence, errors."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
from gradcheck import check_fd

CASES = [((4, 3), 5), ((3,), 2), ((2, 3, 7), 4), ((2, 2, 3, 5), 3), ((1, 1), 1), ((17, 33), 65),
         ((5, 128), 1), ((0, 4), 3), ((64, 300), 130)]


def rand(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape,out", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_against_torch_and_numpy(check_torch, torch, rng, shape, out, bias):
    x, w = rand(rng, shape), rand(rng, (out, shape[-1]))
    arrays = [x, w] + ([rand(rng, out)] if bias else [])
    tol = 2e-6 * np.sqrt(shape[-1]) * 10  # float32 dot products of in_features terms
    result = check_torch(F.linear, torch.nn.functional.linear, arrays, rtol=1e-5, atol=tol)
    want = x.astype(np.float64) @ w.astype(np.float64).T + (arrays[2] if bias else 0)
    np.testing.assert_allclose(np.asarray(result), want, rtol=1e-5, atol=tol)


def test_linear_finite_differences(rng):
    x, w, b = rand(rng, (2, 3, 4)), rand(rng, (5, 4)), rand(rng, 5)
    check_fd(F.linear, lambda x, w, b: x @ w.T + b, [x, w, b])


def test_linear_explicit_backward_and_mask(rng):
    x, w, b, g = rand(rng, (6, 9)), rand(rng, (4, 9)), rand(rng, 4), rand(rng, (6, 4))
    leaves = [cc.tensor(a, requires_grad=True) for a in (x, w, b)]
    F.linear(*leaves).backward(cc.tensor(g))
    grads = F.linear_backward(g, x, w)
    for mine, leaf in zip(grads, leaves):
        np.testing.assert_array_equal(np.asarray(mine), leaf.grad.numpy())
    only_w = F.linear_backward(g, x, w, (False, True, False))
    assert only_w[0] is None and only_w[2] is None
    np.testing.assert_array_equal(np.asarray(only_w[1]), leaves[1].grad.numpy())
    np.testing.assert_allclose(np.asarray(grads[2]), g.astype(np.float64).sum(0), rtol=1e-6)


def test_linear_does_not_depend_on_thread_count(rng):
    x, w, b, g = rand(rng, (32, 700)), rand(rng, (300, 700)), rand(rng, 300), rand(rng, (32, 300))
    before = cc.get_num_threads()
    runs = []
    try:
        for threads in (1, 2):
            cc.set_num_threads(threads)
            runs.append([np.asarray(t).copy() for t in [F.linear(x, w, b)] + list(F.linear_backward(g, x, w))])
    finally:
        cc.set_num_threads(before)
    for a, bb in zip(*runs):
        np.testing.assert_array_equal(a, bb)


def test_linear_errors():
    x, w = np.zeros((2, 3), np.float32), np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.linear(x, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="in_features"):
        F.linear(np.zeros((2, 5), np.float32), w)
    with pytest.raises(ValueError, match="bias"):
        F.linear(x, w, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="input"):
        F.linear(np.float32(1.0), w)
    with pytest.raises(ValueError, match="grad_output"):
        F.linear_backward(np.zeros((2, 5), np.float32), x, w)
    with pytest.raises(ValueError, match="output_mask"):
        F.linear_backward(np.zeros((2, 4), np.float32), x, w, (True, True))
    with pytest.raises(TypeError, match="weight"):
        F.linear(x, "w")
