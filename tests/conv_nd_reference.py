"""Float64 NumPy references for N-d convolution and transposed convolution
(any number of spatial dims), forward and backward, plus central finite
differences.

Written from the definitions, one kernel tap at a time: a convolution tap
reads a strided slice of the padded input; a transposed-convolution tap
scatters the input into a strided slice of a larger output, which is then
cropped by the padding. Spatial arguments are tuples with one entry per
spatial dimension; `pads` are (before, after) pairs per dimension.
"""
from __future__ import annotations

import itertools

import numpy as np

from finite_differences import numeric_grads  # noqa: F401 (re-exported for the tests)

_NUMPY_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad_nd(x, pads, mode="zeros"):
    return np.pad(x, [(0, 0), (0, 0)] + [tuple(p) for p in pads], mode=_NUMPY_MODES[mode])


def _unpad_adjoint(dxp, shape, pads, mode):
    """Adjoint of pad_nd: each padded element adds into the element it copied."""
    spatial = shape[2:]
    index = np.arange(int(np.prod(spatial)), dtype=np.float64).reshape((1, 1) + tuple(spatial))
    src = pad_nd(index, pads, mode).astype(np.int64)[0, 0]
    dx = np.zeros(shape[:2] + (int(np.prod(spatial)),))
    np.add.at(dx, (slice(None), slice(None), src.ravel()), dxp.reshape(shape[:2] + (-1,)))
    return dx.reshape(shape)


def _ein(spec, nd, *operands):
    """einsum with '*' standing for the nd spatial subscripts."""
    return np.einsum(spec.replace("*", "xyz"[:nd]), *operands)


def _taps(kernel):
    return itertools.product(*[range(k) for k in kernel])


def _slices(tap, start_of, stride, count):
    return tuple(slice(start_of(i, t), start_of(i, t) + s * (n - 1) + 1, s)
                 for i, (t, s, n) in enumerate(zip(tap, stride, count)))


def conv_nd(x, w, b=None, stride=None, pads=None, dilation=None, groups=1, mode="zeros"):
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    nd = x.ndim - 2
    stride, dilation = stride or (1,) * nd, dilation or (1,) * nd
    pads = pads or ((0, 0),) * nd
    xp = pad_nd(x, pads, mode)
    K, Cg = w.shape[:2]
    Kg = K // groups
    out = tuple((n - d * (k - 1) - 1) // s + 1
                for n, k, s, d in zip(xp.shape[2:], w.shape[2:], stride, dilation))
    y = np.zeros((x.shape[0], K) + out)
    for g in range(groups):
        xg, ks = xp[:, g * Cg:(g + 1) * Cg], slice(g * Kg, (g + 1) * Kg)
        for tap in _taps(w.shape[2:]):
            sl = _slices(tap, lambda i, t: t * dilation[i], stride, out)
            y[:, ks] += _ein("nc*,kc->nk*", nd, xg[(slice(None), slice(None)) + sl], w[(ks, slice(None)) + tap])
    if b is not None:
        y += np.asarray(b, np.float64).reshape((1, -1) + (1,) * nd)
    return y


def conv_nd_backward(dy, x, w, stride=None, pads=None, dilation=None, groups=1, mode="zeros"):
    """(grad_input, grad_weight, grad_bias) of conv_nd."""
    dy, x, w = (np.asarray(a, np.float64) for a in (dy, x, w))
    nd = x.ndim - 2
    stride, dilation = stride or (1,) * nd, dilation or (1,) * nd
    pads = pads or ((0, 0),) * nd
    xp = pad_nd(x, pads, mode)
    K, Cg = w.shape[:2]
    Kg = K // groups
    out = dy.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for g in range(groups):
        cs, ks = slice(g * Cg, (g + 1) * Cg), slice(g * Kg, (g + 1) * Kg)
        for tap in _taps(w.shape[2:]):
            sl = (slice(None), cs) + _slices(tap, lambda i, t: t * dilation[i], stride, out)
            dw[(ks, slice(None)) + tap] += _ein("nk*,nc*->kc", nd, dy[:, ks], xp[sl])
            dxp[sl] += _ein("nk*,kc->nc*", nd, dy[:, ks], w[(ks, slice(None)) + tap])
    if mode == "zeros":
        dx = dxp[(slice(None), slice(None)) + tuple(slice(p[0], p[0] + n) for p, n in zip(pads, x.shape[2:]))]
    else:
        dx = _unpad_adjoint(dxp, x.shape, pads, mode)
    return dx, dw, dy.sum(axis=(0,) + tuple(range(2, 2 + nd)))


def conv_transpose_nd(x, w, b=None, stride=None, padding=None, output_padding=None, groups=1,
                      dilation=None):
    """y = the transposed convolution: every input element scatters w times itself."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    nd = x.ndim - 2
    stride, dilation = stride or (1,) * nd, dilation or (1,) * nd
    padding, output_padding = padding or (0,) * nd, output_padding or (0,) * nd
    Cin, Coutg = w.shape[:2]
    Cing = Cin // groups
    inp = x.shape[2:]
    big = tuple((n - 1) * s + d * (k - 1) + 1 + op
                for n, k, s, d, op in zip(inp, w.shape[2:], stride, dilation, output_padding))
    ybig = np.zeros((x.shape[0], Coutg * groups) + big)
    for g in range(groups):
        ci, co = slice(g * Cing, (g + 1) * Cing), slice(g * Coutg, (g + 1) * Coutg)
        for tap in _taps(w.shape[2:]):
            sl = (slice(None), co) + _slices(tap, lambda i, t: t * dilation[i], stride, inp)
            ybig[sl] += _ein("nc*,co->no*", nd, x[:, ci], w[(ci, slice(None)) + tap])
    y = ybig[(slice(None), slice(None)) + tuple(slice(p, n - p) for p, n in zip(padding, big))]
    if b is not None:
        y = y + np.asarray(b, np.float64).reshape((1, -1) + (1,) * nd)
    return y


def conv_transpose_nd_backward(dy, x, w, stride=None, padding=None, output_padding=None, groups=1,
                               dilation=None):
    """(grad_input, grad_weight, grad_bias) of conv_transpose_nd: the same taps, gathered."""
    dy, x, w = (np.asarray(a, np.float64) for a in (dy, x, w))
    nd = x.ndim - 2
    stride, dilation = stride or (1,) * nd, dilation or (1,) * nd
    padding = padding or (0,) * nd
    Cin, Coutg = w.shape[:2]
    Cing = Cin // groups
    inp = x.shape[2:]
    gbig = np.pad(dy, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for g in range(groups):
        ci, co = slice(g * Cing, (g + 1) * Cing), slice(g * Coutg, (g + 1) * Coutg)
        for tap in _taps(w.shape[2:]):
            sl = (slice(None), co) + _slices(tap, lambda i, t: t * dilation[i], stride, inp)
            dx[:, ci] += _ein("no*,co->nc*", nd, gbig[sl], w[(ci, slice(None)) + tap])
            dw[(ci, slice(None)) + tap] += _ein("nc*,no*->co", nd, x[:, ci], gbig[sl])
    return dx, dw, dy.sum(axis=(0,) + tuple(range(2, 2 + nd)))
