"""Float64 NumPy reference for 2D convolution, forward and backward.

Written as directly from the definition as possible (a loop over kernel
taps, each a strided slice of the padded input), so that it can serve as
the oracle for every convcore code path.
"""
from __future__ import annotations

import numpy as np

_NUMPY_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad_nchw(x, pad4, mode="zeros"):
    left, right, top, bottom = pad4
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=_NUMPY_MODES[mode])


def _taps(xp, R, S, OH, OW, stride, dilation):
    sh, sw = stride
    dh, dw = dilation
    for r in range(R):
        for s in range(S):
            rows = slice(r * dh, r * dh + sh * (OH - 1) + 1, sh)
            cols = slice(s * dw, s * dw + sw * (OW - 1) + 1, sw)
            yield r, s, rows, cols


def output_size(xp_shape, w_shape, stride, dilation):
    H, W = xp_shape[2:]
    R, S = w_shape[2:]
    OH = (H - dilation[0] * (R - 1) - 1) // stride[0] + 1
    OW = (W - dilation[1] * (S - 1) - 1) // stride[1] + 1
    return OH, OW


def conv2d(x, w, b=None, stride=(1, 1), pad4=(0, 0, 0, 0), dilation=(1, 1), groups=1,
           mode="zeros"):
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    xp = pad_nchw(x, pad4, mode)
    N, C = x.shape[:2]
    K, Cg, R, S = w.shape
    Kg = K // groups
    OH, OW = output_size(xp.shape, w.shape, stride, dilation)
    y = np.zeros((N, K, OH, OW))
    for g in range(groups):
        xg = xp[:, g * Cg:(g + 1) * Cg]
        wg = w[g * Kg:(g + 1) * Kg]
        for r, s, rows, cols in _taps(xp, R, S, OH, OW, stride, dilation):
            y[:, g * Kg:(g + 1) * Kg] += np.einsum("nchw,kc->nkhw", xg[:, :, rows, cols], wg[:, :, r, s])
    if b is not None:
        y += np.asarray(b, np.float64)[None, :, None, None]
    return y


def conv2d_backward(dy, x, w, stride=(1, 1), pad4=(0, 0, 0, 0), dilation=(1, 1), groups=1,
                    mode="zeros"):
    """(grad_input, grad_weight, grad_bias) in float64."""
    dy = np.asarray(dy, np.float64)
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    xp = pad_nchw(x, pad4, mode)
    K, Cg, R, S = w.shape
    Kg = K // groups
    OH, OW = dy.shape[2:]
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for g in range(groups):
        cs, ks = slice(g * Cg, (g + 1) * Cg), slice(g * Kg, (g + 1) * Kg)
        for r, s, rows, cols in _taps(xp, R, S, OH, OW, stride, dilation):
            dw[ks, :, r, s] += np.einsum("nkhw,nchw->kc", dy[:, ks], xp[:, cs, rows, cols])
            dxp[:, cs, rows, cols] += np.einsum("nkhw,kc->nchw", dy[:, ks], w[ks, :, r, s])
    left, right, top, bottom = pad4
    H, W = x.shape[2:]
    if mode == "zeros":
        dx = dxp[:, :, top:top + H, left:left + W]
    else:  # fold the padded border back onto the pixels it copied
        dx = _unpad_adjoint(dxp, x.shape, pad4, mode)
    return dx, dw, dy.sum(axis=(0, 2, 3))


def _unpad_adjoint(dxp, shape, pad4, mode):
    """Adjoint of pad_nchw for the non-constant modes, by linearity: push each
    unit vector through the padding map (small shapes only)."""
    N, C, H, W = shape
    left, right, top, bottom = pad4
    index = np.arange(H * W, dtype=np.float64).reshape(1, 1, H, W)
    src = pad_nchw(index, pad4, mode).astype(np.int64)[0, 0]  # padded pixel -> source pixel
    dx = np.zeros((N, C, H * W))
    flat = dxp.reshape(N, C, -1)
    np.add.at(dx, (slice(None), slice(None), src.ravel()), flat)
    return dx.reshape(N, C, H, W)
