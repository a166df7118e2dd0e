"""cat: concatenation along a dim, forward and backward, against NumPy and torch."""
import numpy as np
import pytest

import convcore
import convcore.functional as F


@pytest.mark.parametrize("shapes, dim", [
    ([(2, 3, 4, 4), (2, 5, 4, 4), (2, 1, 4, 4)], 1),   # Inception's channel join
    ([(3, 4), (2, 4)], 0),
    ([(2, 3, 4), (2, 3, 6)], -1),
    ([(1, 64, 56, 56), (1, 32, 56, 56)], 1),            # large enough to run threaded
])
def test_cat_matches_numpy_forward_and_backward(rng, shapes, dim):
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    xs = [convcore.tensor(a, requires_grad=True) for a in arrays]
    y = F.cat(xs, dim)
    expected = np.concatenate(arrays, axis=dim)
    np.testing.assert_array_equal(np.asarray(y), expected)
    weights = rng.standard_normal(expected.shape).astype(np.float32)
    F.sum(y * convcore.tensor(weights)).backward()
    for x, part in zip(xs, np.split(weights, np.cumsum([s[dim] for s in shapes])[:-1], axis=dim)):
        np.testing.assert_array_equal(np.asarray(x.grad), part)


def test_cat_sends_gradients_only_where_asked(rng):
    a = convcore.tensor(rng.standard_normal((2, 3)))
    b = convcore.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    F.sum(F.cat([a, b], 1)).backward()
    assert a.grad is None and np.asarray(b.grad).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with convcore.no_grad():
        assert not F.cat([b, b], 0).requires_grad


def test_cat_equals_torch(torch, rng):
    arrays = [rng.standard_normal((2, c, 3, 3)).astype(np.float32) for c in (4, 2, 6)]
    np.testing.assert_array_equal(
        np.asarray(F.cat(arrays, 1)), torch.cat([torch.from_numpy(a) for a in arrays], 1).numpy())


def test_cat_rejects_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        F.cat([], 0)
    with pytest.raises(ValueError, match=r"tensors\[1\]"):
        F.cat([np.zeros((2, 3), np.float32), np.zeros((3, 3), np.float32)], 1)
    with pytest.raises((ValueError, IndexError), match="dim"):
        F.cat([np.zeros((2, 3), np.float32)], 2)
    with pytest.raises(TypeError):
        F.cat(convcore.zeros([2, 2]), 0)
