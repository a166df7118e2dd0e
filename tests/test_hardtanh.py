"""hardtanh and relu6 (MobileNet v2's clipped ReLU), functional and nn, against torch."""
import numpy as np
import pytest

import convcore.functional as F
from convcore import nn


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


@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (-0.5, 2.0), (0.0, 0.0)])
def test_hardtanh_matches_torch(check_torch, rng, bounds):
    torch = pytest.importorskip("torch")
    x = rng.uniform(-3, 3, (3, 7)).astype(np.float32)
    x[0, :2] = bounds  # exactly at the bounds: no gradient there, as torch
    check_torch(lambda t: F.hardtanh(t, *bounds), lambda t: torch.nn.functional.hardtanh(t, *bounds),
                [x])
    np.testing.assert_array_equal(np.asarray(nn.Hardtanh(*bounds)(x)), np.clip(x, *bounds))


def test_hardtanh_rejects_reversed_bounds():
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(np.zeros(3, np.float32), 1.0, -1.0)
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(2.0, 1.0)
