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


# ---- comparison against torch autograd (tensor-op tests) ----

def _check_against_torch(torch, cc_fn, torch_fn, inputs, rtol=1e-4, atol=1e-5, seed=0):
    """Run cc_fn on convcore leaves and torch_fn on float64 torch leaves made
    from the same float32 arrays; compare the outputs, then the gradients of
    sum(out * w) for a random w. Returns the convcore output."""
    inputs = [np.ascontiguousarray(x, dtype=np.float32) for x in inputs]
    xs = [cc.tensor(x, requires_grad=True) for x in inputs]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = cc_fn(*xs)
    ref = torch_fn(*ts)
    assert out.shape == tuple(ref.shape), f"shape {out.shape} != torch {tuple(ref.shape)}"
    np.testing.assert_allclose(np.asarray(out), ref.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(seed).standard_normal(out.shape).astype(np.float32)
    (out * cc.tensor(w)).sum().backward()
    (ref * torch.tensor(w, dtype=torch.float64)).sum().backward()
    for i, (x, t) in enumerate(zip(xs, ts)):
        assert x.grad is not None, f"input {i} got no gradient"
        np.testing.assert_allclose(np.asarray(x.grad), t.grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")
    return out


@pytest.fixture
def check_torch(torch):
    """check_torch(cc_fn, torch_fn, [arrays], rtol=, atol=): forward and
    backward of a convcore function against torch autograd."""
    return lambda *args, **kw: _check_against_torch(torch, *args, **kw)
