"""Shared fixtures: a seeded RNG, and a fixture that runs a test once per
instruction-set level this CPU supports."""
import sys
from pathlib import Path

import numpy as np
import pytest

import convcore as cc

sys.path.insert(0, str(Path(__file__).parent))  # test helpers such as conv_reference


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def _supported_isas():
    order = ["scalar", "avx2", "avx512"]
    best = cc._C.best_supported_isa()
    return [i for i in cc.compiled_isas() if order.index(i) <= order.index(best)]


@pytest.fixture(params=["scalar", "avx2", "avx512"])
def isa(request):
    """Run the test with the kernels of one instruction-set level forced."""
    if request.param not in _supported_isas():
        pytest.skip(f"{request.param} is not compiled in or not supported by this CPU")
    previous = cc.get_isa()
    cc.set_isa(request.param)
    yield request.param
    cc.set_isa(previous)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")
