"""convcore.nn.init: statistics of each initialiser on a large tensor, fans and
gains against torch.nn.init, determinism under convcore.manual_seed and an
explicit generator, in-place writing, and errors."""
import math

import numpy as np
import pytest

import convcore as cc
import convcore.nn as nn
from convcore.nn import init

SHAPES = [(64, 32), (128, 3, 5, 5), (16, 8, 3, 3, 3), (20, 10, 7)]


def big(shape=(256, 128, 3, 3)):
    return nn.Parameter(np.zeros(shape, np.float32))


def test_fans_match_torch(torch):
    for shape in SHAPES:
        ours = init._calculate_fan_in_and_fan_out(cc.zeros(list(shape)))
        theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
        assert ours == theirs
    with pytest.raises(ValueError, match="2 dimensions"):
        init._calculate_fan_in_and_fan_out(cc.zeros([5]))


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
    ("leaky_relu", math.sqrt(5)), ("leaky_relu", 1), ("selu", None),
])
def test_calculate_gain_matches_torch(torch, nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="param"):
        init.calculate_gain("leaky_relu", "0.1")
    with pytest.raises(ValueError, match="param"):
        init.calculate_gain("leaky_relu", True)


def test_uniform_normal_constant_statistics():
    t = big()
    assert init.uniform_(t, -0.5, 1.5) is t
    a = np.asarray(t)
    assert a.min() >= -0.5 and a.max() <= 1.5
    assert abs(a.mean() - 0.5) < 0.01 and abs(a.std() - 2 / math.sqrt(12)) < 0.01
    init.normal_(t, std=0.1)  # the decks' "Gaussian with std 0.1"
    assert abs(a.mean()) < 0.001 and abs(a.std() - 0.1) < 0.001
    init.normal_(t, mean=2.0, std=1e-4)
    assert abs(a.mean() - 2.0) < 1e-5 and abs(a.std() - 1e-4) < 1e-5
    init.trunc_normal_(t, std=1.0, a=-1.0, b=2.0)
    assert a.min() >= -1.0 and a.max() <= 2.0 and a.min() < -0.99 and a.max() > 1.99
    assert init.constant_(t, 0.25) is t and np.all(a == 0.25)
    init.zeros_(t)
    assert np.all(a == 0)
    init.ones_(t)
    assert np.all(a == 1)


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_and_kaiming_statistics_match_torch_formulas(torch, shape):
    t = nn.Parameter(np.zeros((shape[0] * 4,) + shape[1:], np.float32))
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(tuple(t.shape)))
    a = np.asarray(t)

    def check_uniform(bound):
        assert np.abs(a).max() <= bound * (1 + 1e-6)
        assert abs(a.std() - bound / math.sqrt(3)) < 0.05 * bound

    init.xavier_uniform_(t, gain=2.0)
    check_uniform(2.0 * math.sqrt(6 / (fan_in + fan_out)))
    init.xavier_normal_(t)
    assert abs(a.std() - math.sqrt(2 / (fan_in + fan_out))) < 0.05 * a.std()
    init.kaiming_uniform_(t, a=math.sqrt(5))  # the default of Conv and Linear layers
    check_uniform(1 / math.sqrt(fan_in))
    init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu")
    check_uniform(math.sqrt(2) * math.sqrt(3 / fan_out))
    init.kaiming_normal_(t, nonlinearity="relu")
    assert abs(a.std() - math.sqrt(2 / fan_in)) < 0.05 * a.std() and abs(a.mean()) < 0.05 * a.std()
    init.kaiming_normal_(t, a=0.2, mode="fan_out")
    want = torch.nn.init.calculate_gain("leaky_relu", 0.2) / math.sqrt(fan_out)
    assert abs(a.std() - want) < 0.05 * want
    assert init.he_normal_ is init.kaiming_normal_ and init.glorot_uniform_ is init.xavier_uniform_


def test_manual_seed_makes_models_reproducible():
    def build():
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Linear(8, 2))

    cc.manual_seed(0)
    first = {k: np.asarray(v).copy() for k, v in build().state_dict().items()}
    cc.manual_seed(0)
    second = {k: np.asarray(v).copy() for k, v in build().state_dict().items()}
    cc.manual_seed(1)
    third = {k: np.asarray(v).copy() for k, v in build().state_dict().items()}
    for key in first:
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)
    assert not np.array_equal(first["0.weight"], third["0.weight"])
    cc.manual_seed(0)
    a, b = build(), build()  # successive models differ
    assert not np.array_equal(np.asarray(a[0].weight), np.asarray(b[0].weight))


def test_explicit_generator_is_used_and_leaves_the_global_stream():
    cc.manual_seed(5)
    expected = np.asarray(init.normal_(cc.zeros([100]))).copy()
    cc.manual_seed(5)
    t1 = init.normal_(cc.zeros([100]), generator=np.random.default_rng(42))
    t2 = init.normal_(cc.zeros([100]), generator=np.random.default_rng(42))
    np.testing.assert_array_equal(np.asarray(t1), np.asarray(t2))
    np.testing.assert_array_equal(np.asarray(init.normal_(cc.zeros([100]))), expected)
    with pytest.raises(TypeError, match="generator"):
        init.uniform_(cc.zeros([3]), generator=42)


def test_init_writes_in_place_into_tensors_and_float32_arrays():
    layer = nn.Linear(3, 2)
    view = np.asarray(layer.weight)
    init.constant_(layer.weight, 3.0)
    assert np.all(view == 3.0)
    array = np.zeros((4, 4), np.float32)
    assert init.ones_(array) is array and np.all(array == 1)
    with pytest.raises(TypeError, match="tensor"):
        init.ones_(np.zeros(3))  # float64: cannot be written as float32 in place
    with pytest.raises(TypeError, match="tensor"):
        init.ones_([1.0, 2.0])


def test_init_argument_errors():
    t = cc.zeros([4, 4])
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(t, mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity"):
        init.kaiming_normal_(t, nonlinearity="gelu")
    with pytest.raises(ValueError, match="std"):
        init.normal_(t, std=-1.0)
    with pytest.raises(ValueError, match="a, b"):
        init.uniform_(t, 1.0, 0.0)
    with pytest.raises(ValueError, match="2 dimensions"):
        init.xavier_uniform_(cc.zeros([4]))
