"""Finite-difference gradient checks for the layer-op tests: our autograd
gradients of sum(out * w) against central differences of a float64 NumPy
formula of the same function."""
import numpy as np

import convcore as cc
from finite_differences import numeric_grads


def check_fd(cc_fn, np_fn, arrays, rtol=1e-3, atol=1e-4, seed=1, fwd_tol=1e-5):
    """cc_fn's output against np_fn's (float64), and its gradients of
    sum(out * w), w random, against finite differences of np_fn."""
    arrays = [np.ascontiguousarray(a, dtype=np.float32) for a in arrays]
    xs = [cc.tensor(a, requires_grad=True) for a in arrays]
    out = cc_fn(*xs)
    w = np.random.default_rng(seed).standard_normal(out.shape)
    ref = np_fn(*[a.astype(np.float64) for a in arrays])
    np.testing.assert_allclose(np.asarray(out), ref, rtol=fwd_tol, atol=fwd_tol)
    (out * cc.tensor(w.astype(np.float32))).sum().backward()
    for i, (x, g) in enumerate(zip(xs, numeric_grads(np_fn, arrays, w))):
        np.testing.assert_allclose(np.asarray(x.grad), g, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")
