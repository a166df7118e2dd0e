"""Comparing a convcore.nn layer with the torch layer of the same weights: the
helper of the test_nn_*.py files.

The torch layer runs in float64 (a reference more exact than the float32
layer under test); its state dict is loaded into the convcore layer through
load_state_dict, which also exercises the key names and the dtype cast.
"""
import numpy as np

import convcore as cc


def load_from_torch(cc_module, torch_module):
    """Copy torch_module's parameters and buffers into cc_module (keys must match)."""
    return cc_module.load_state_dict({k: v.detach().numpy() for k, v in
                                      torch_module.state_dict().items()})


def check_against_torch(torch, cc_module, torch_module, inputs, rtol=1e-4, atol=1e-5, seed=0,
                        forward=None, torch_forward=None, grad_inputs=True):
    """Same keys, same forward output, same gradients of the inputs and of every
    parameter after backward of sum(out * w) for a random w. Returns the output.

    inputs: float32 arrays (each a leaf that requires grad when grad_inputs).
    forward / torch_forward: how to call the modules (default module(*inputs)).
    """
    assert list(cc_module.state_dict()) == list(torch_module.state_dict()), "state_dict keys"
    torch_module = torch_module.double()
    load_from_torch(cc_module, torch_module)
    inputs = [np.ascontiguousarray(x, dtype=np.float32) for x in inputs]
    xs = [cc.tensor(x, requires_grad=grad_inputs) for x in inputs]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=grad_inputs) for x in inputs]
    out = (forward or (lambda m, *a: m(*a)))(cc_module, *xs)
    ref = (torch_forward or (lambda m, *a: m(*a)))(torch_module, *ts)
    assert out.shape == tuple(ref.shape), f"shape {out.shape} != torch {tuple(ref.shape)}"
    np.testing.assert_allclose(np.asarray(out), ref.detach().numpy(), rtol=rtol, atol=atol,
                               err_msg="forward")
    w = np.random.default_rng(seed).standard_normal(out.shape).astype(np.float32)
    (out * cc.tensor(w)).sum().backward()
    (ref * torch.tensor(w, dtype=torch.float64)).sum().backward()
    if grad_inputs:
        for i, (x, t) in enumerate(zip(xs, ts)):
            np.testing.assert_allclose(np.asarray(x.grad), t.grad.numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"gradient of input {i}")
    torch_params = dict(torch_module.named_parameters())
    names = [name for name, _ in cc_module.named_parameters()]
    assert names == list(torch_params), "named_parameters"
    for name, param in cc_module.named_parameters():
        assert param.grad is not None, f"{name} got no gradient"
        np.testing.assert_allclose(np.asarray(param.grad), torch_params[name].grad.numpy(),
                                   rtol=rtol, atol=atol, err_msg=f"gradient of {name}")
    return out
