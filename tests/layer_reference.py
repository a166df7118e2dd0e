"""Float64 NumPy references for the layer ops, written straight from their
definitions (loops where that is clearer than vectorised NumPy): the oracle
of test_activation.py, test_norm.py and test_loss.py."""
import numpy as np


def softmax(x, dim):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(x, dim):
    x = np.asarray(x, np.float64)
    m = x.max(axis=dim, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=dim, keepdims=True))


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    """Returns (y, new_running_mean, new_running_var); the running values are
    None when not given."""
    x = np.asarray(x, np.float64)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    rm = None if running_mean is None else np.asarray(running_mean, np.float64)
    rv = None if running_var is None else np.asarray(running_var, np.float64)
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        m = x.size // x.shape[1]
        if rm is not None:
            rm = (1 - momentum) * rm + momentum * mean
            rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
    else:
        mean, var = rm, rv
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        y = y * np.asarray(weight, np.float64).reshape(shape)
    if bias is not None:
        y = y + np.asarray(bias, np.float64).reshape(shape)
    return y, rm, rv


def local_response_norm(x, size, alpha, beta, k):
    x = np.asarray(x, np.float64)
    C = x.shape[1]
    y = np.empty_like(x)
    for c in range(C):
        lo, hi = max(0, c - size // 2), min(C - 1, c + (size - 1) // 2)
        s = (x[:, lo:hi + 1] ** 2).sum(axis=1)
        y[:, c] = x[:, c] / (k + alpha / size * s) ** beta
    return y


def _reduce(per_sample, reduction, denominator):
    if reduction == "none":
        return per_sample
    total = per_sample.sum()
    return total if reduction == "sum" else total / denominator


def nll_loss(logp, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """On log-probabilities [N, C, ...] (or [C]); with label_smoothing, the
    loss cross_entropy puts on log_softmax."""
    logp = np.asarray(logp, np.float64)
    target = np.asarray(target)
    if logp.ndim == 1:
        logp, target = logp[None], target[None]
        squeeze = True
    else:
        squeeze = False
    C = logp.shape[1]
    w = np.ones(C) if weight is None else np.asarray(weight, np.float64)
    lp = np.moveaxis(logp, 1, -1)  # [N, ..., C]
    loss = np.zeros(target.shape)
    wsum = 0.0
    eps = label_smoothing
    for idx in np.ndindex(*target.shape):
        t = int(target[idx])
        if t == ignore_index:
            continue
        loss[idx] = -(1 - eps) * w[t] * lp[idx][t] - eps / C * (w * lp[idx]).sum()
        wsum += w[t]
    out = _reduce(loss, reduction, wsum)
    return out[0] if squeeze and reduction == "none" else out


def cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    x = np.asarray(x, np.float64)
    return nll_loss(log_softmax(x, 0 if x.ndim == 1 else 1), target, weight, ignore_index,
                    reduction, label_smoothing)


def cross_entropy_probs(x, target, weight=None, reduction="mean", label_smoothing=0.0):
    x = np.asarray(x, np.float64)
    dim = 0 if x.ndim == 1 else 1
    C = x.shape[dim]
    q = np.asarray(target, np.float64) * (1 - label_smoothing) + label_smoothing / C
    w = np.ones(C) if weight is None else np.asarray(weight, np.float64)
    wshape = [1] * x.ndim
    wshape[dim] = C
    loss = -(w.reshape(wshape) * q * log_softmax(x, dim)).sum(axis=dim)
    return _reduce(loss, reduction, loss.size)


def bce_with_logits(x, y, weight=None, reduction="mean", pos_weight=None):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    pw = 1.0 if pos_weight is None else np.asarray(pos_weight, np.float64)
    softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
    loss = (1 - y) * x + (1 + (pw - 1) * y) * softplus_neg
    if weight is not None:
        loss = loss * np.asarray(weight, np.float64)
    return _reduce(loss, reduction, loss.size)


def mse_loss(x, y, reduction="mean"):
    d = np.asarray(x, np.float64) - np.asarray(y, np.float64)
    return _reduce(d * d, reduction, (d * d).size)
