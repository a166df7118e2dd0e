"""Float64 NumPy oracles for the pooling ops, written straight from PyTorch's
definitions with plain loops over output positions (slow, for small shapes).

Every function takes batched input [N, C, *spatial] with n = len(spatial)
spatial dims and per-dim arguments as tuples of n ints.
"""
import itertools

import numpy as np


def out_size(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    o = num // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def _planes(x, nd):
    """[N, C, *spatial] -> ([P, *spatial] float64, leading shape)."""
    x = np.asarray(x, np.float64)
    lead = x.shape[:-nd]
    return x.reshape((-1,) + x.shape[-nd:]), lead


def max_pool(x, k, s, p, d, ceil_mode=False):
    """(output, indices): max over windows (padding -inf); a NaN wins (the last one),
    ties go to the first element in scan order; the index is the flat position in the
    plane, -1 for a window over padding only."""
    nd = len(k)
    xp, lead = _planes(x, nd)
    sp = xp.shape[1:]
    os_ = [out_size(sp[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd)]
    y = np.empty((xp.shape[0],) + tuple(os_))
    idx = np.empty_like(y, dtype=np.int64)
    for o in itertools.product(*[range(v) for v in os_]):
        taps = []
        for t in itertools.product(*[range(v) for v in k]):
            pos = [o[i] * s[i] - p[i] + t[i] * d[i] for i in range(nd)]
            if all(0 <= pos[i] < sp[i] for i in range(nd)):
                taps.append(int(np.ravel_multi_index(pos, sp)))
        for c in range(xp.shape[0]):
            flat = xp[c].reshape(-1)
            m, best = -np.inf, (taps[0] if taps else -1)
            for t in taps:
                v = flat[t]
                if v > m or np.isnan(v):
                    m, best = v, t
            y[(c,) + o] = m
            idx[(c,) + o] = best
    return y.reshape(lead + tuple(os_)), idx.reshape(lead + tuple(os_))


def avg_pool(x, k, s, p, ceil_mode=False, count_include_pad=True, divisor_override=None):
    nd = len(k)
    xp, lead = _planes(x, nd)
    sp = xp.shape[1:]
    os_ = [out_size(sp[i], k[i], s[i], p[i], 1, ceil_mode) for i in range(nd)]
    y = np.zeros((xp.shape[0],) + tuple(os_))
    for o in itertools.product(*[range(v) for v in os_]):
        start = [o[i] * s[i] - p[i] for i in range(nd)]
        end_pad = [min(start[i] + k[i], sp[i] + p[i]) for i in range(nd)]
        pool_size = int(np.prod([end_pad[i] - start[i] for i in range(nd)]))
        lo = [max(start[i], 0) for i in range(nd)]
        hi = [min(end_pad[i], sp[i]) for i in range(nd)]
        if any(lo[i] >= hi[i] for i in range(nd)):
            continue
        window = tuple(slice(lo[i], hi[i]) for i in range(nd))
        if divisor_override:
            div = divisor_override
        elif count_include_pad:
            div = pool_size
        else:
            div = int(np.prod([hi[i] - lo[i] for i in range(nd)]))
        y[(slice(None),) + o] = xp[(slice(None),) + window].reshape(xp.shape[0], -1).sum(1) / div
    return y.reshape(lead + tuple(os_))


def lp_pool(x, norm_type, k, s, ceil_mode=False):
    """PyTorch's lp_pool: (prod(k) * avg_pool(x**p))**(1/p), no padding."""
    nd = len(k)
    a = avg_pool(np.asarray(x, np.float64) ** norm_type, k, s, (0,) * nd, ceil_mode)
    return (a * np.prod(k)) ** (1.0 / norm_type)


def _adaptive_windows(sp, os_):
    for o in itertools.product(*[range(v) for v in os_]):
        yield o, tuple(slice((o[i] * sp[i]) // os_[i], -((-(o[i] + 1) * sp[i]) // os_[i]))
                       for i in range(len(sp)))


def adaptive_avg_pool(x, os_):
    nd = len(os_)
    xp, lead = _planes(x, nd)
    y = np.empty((xp.shape[0],) + tuple(os_))
    for o, w in _adaptive_windows(xp.shape[1:], os_):
        y[(slice(None),) + o] = xp[(slice(None),) + w].reshape(xp.shape[0], -1).mean(1)
    return y.reshape(lead + tuple(os_))


def adaptive_max_pool(x, os_):
    nd = len(os_)
    xp, lead = _planes(x, nd)
    sp = xp.shape[1:]
    y = np.empty((xp.shape[0],) + tuple(os_))
    idx = np.empty(y.shape, np.int64)
    for o, w in _adaptive_windows(sp, os_):
        positions = [int(np.ravel_multi_index(t, sp))
                     for t in itertools.product(*[range(sl.start, sl.stop) for sl in w])]
        for c in range(xp.shape[0]):
            flat = xp[c].reshape(-1)
            m, best = -np.inf, positions[0]
            for t in positions:
                if flat[t] > m or np.isnan(flat[t]):
                    m, best = flat[t], t
            y[(c,) + o], idx[(c,) + o] = m, best
    return y.reshape(lead + tuple(os_)), idx.reshape(lead + tuple(os_))


def scatter_add(grad_output, indices, input_shape, nd):
    """Max pooling's backward: each gradient added at its index in its plane."""
    g = np.asarray(grad_output, np.float64).reshape(-1, int(np.prod(grad_output.shape[-nd:])))
    ix = np.asarray(indices).reshape(g.shape)
    dx = np.zeros((g.shape[0], int(np.prod(input_shape[-nd:]))))
    for c in range(g.shape[0]):
        for v, i in zip(g[c], ix[c]):
            if i >= 0:
                dx[c, i] += v
    return dx.reshape(input_shape)


def max_unpool(x, indices, out_spatial):
    nd = len(out_spatial)
    xp, lead = _planes(x, nd)
    ix = np.asarray(indices).reshape(xp.shape[0], -1)
    y = np.zeros((xp.shape[0], int(np.prod(out_spatial))))
    for c in range(xp.shape[0]):
        for v, i in zip(xp[c].reshape(-1), ix[c]):
            y[c, i] = v
    return y.reshape(lead + tuple(out_spatial))


def maxout(x, groups):
    x = np.asarray(x, np.float64)
    n, c = x.shape[:2]
    return x.reshape((n, c // groups, groups) + x.shape[2:]).max(axis=2)
