"""The operations the zoo added: the models' cat (Inception's and DenseNet's channel
joins: convcore.functional.cat where the package has it, else a pad-and-add
fallback, both checked here) and relu6 / nn.ReLU6 (MobileNet v2), against torch."""
import numpy as np
import pytest

import convcore
import convcore.functional as F
from convcore import nn
from convcore.models import _ops

SHAPES = [
    ([(2, 3, 4, 4), (2, 5, 4, 4), (2, 1, 4, 4)], 1),
    ([(2, 3), (4, 3)], 0),
    ([(2, 3, 2), (2, 3, 5)], -1),
    ([(3, 2, 4)], 1),
]


@pytest.mark.parametrize("shapes, dim", SHAPES)
@pytest.mark.parametrize("join", [_ops.cat, _ops._cat_by_padding], ids=["cat", "padding"])
def test_cat_matches_torch_forward_and_backward(check_torch, rng, shapes, dim, join):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    check_torch(lambda *xs: join(list(xs), dim), lambda *ts: torch.cat(list(ts), dim), arrays)


def test_cat_rejects_mismatched_shapes():
    a, b = convcore.ones([2, 2]), convcore.zeros([2, 1])
    assert _ops.cat([a, b], 1).shape == (2, 3)
    for join in (_ops.cat, _ops._cat_by_padding):
        with pytest.raises(ValueError, match=r"tensors\[1\]"):
            join([a, b], 0)
    with pytest.raises(ValueError, match="non-empty"):
        _ops.cat([], 0)


def test_relu6_matches_torch(check_torch, rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(-3, 9, (4, 5)).astype(np.float32)
    x[0, :4] = (0.0, 6.0, 3.0, 1e-8)  # the kinks (torch's gradient is 0 at 0 and at 6), a tiny x
    check_torch(F.relu6, torch.nn.functional.relu6, [x])
    layer = nn.ReLU6(inplace=True)
    assert "inplace=True" in repr(layer)
    for values in (x, x * 1e6, x[0]):  # exact, at any scale and shape
        np.testing.assert_array_equal(np.asarray(layer(values)), np.clip(values, 0, 6))
    with pytest.raises(ValueError, match="inplace"):
        F.relu6(x, inplace=True)
