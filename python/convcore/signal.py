"""Convolution and correlation of 1-D, 2-D and 3-D arrays with scipy.signal's
semantics: ``convolve`` is true convolution (the kernel flipped, commutative
and associative), ``correlate`` is cross-correlation (what a convolution
layer computes; neither commutative nor associative).

Modes, per dimension, with n1 = in1.shape[i] and n2 = in2.shape[i]:

- ``'full'``: every overlap, n1 + n2 - 1;
- ``'same'``: the size of in1, centred in the full result (it starts at
  offset (n2 - 1) // 2 of the full result, as scipy);
- ``'valid'``: only where one array covers the other, |n1 - n2| + 1; one
  array must be at least as large as the other in every dimension.

Methods: ``'direct'`` sums the products in C++ (a threaded, vectorised direct
N-d correlation, cpp/src/ops/signal.cpp; convolve is correlate with in2
flipped), ``'fft'`` uses the convolution theorem with numpy.fft (rfftn over a
5-smooth padded size, in float64), and ``'auto'`` picks one by the cost rule
of :func:`choose_conv_method`.

Dtypes: convcore computes in float32. Inputs of any real dtype (bool,
integer, float) are converted to float32 first, for both methods, and the
result is always a float32 NumPy array. Complex inputs raise TypeError.
Empty inputs give an empty array, as scipy.
"""
from __future__ import annotations

import math

import numpy as np

from . import _C

__all__ = ["convolve", "correlate", "choose_conv_method"]

_MODES = ("full", "valid", "same")
_METHODS = ("auto", "direct", "fft")

# 'auto' takes the FFT when the direct method's multiply-adds exceed this many
# times the FFT's n*log2(n) over the padded size. Measured with AVX-512 and two
# threads: direct 15-70 G multiply-adds/s, numpy's transforms 350-900 M n*log2(n)/s;
# the break-even ratio was 20-30 for 3-D arrays and 65-200 for 1-D and 2-D ones.
_FFT_RATIO = 60.0


def _as_float32(x, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError(f"{name}: complex arrays are not supported (convcore computes in float32)")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected an array of real numbers, got dtype {a.dtype}")
    return np.asarray(a, dtype=np.float32, order="C")  # keeps 0-d arrays 0-d, unlike ascontiguousarray


def _check(a: np.ndarray, b: np.ndarray, mode: str, method: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"mode: expected 'full', 'valid' or 'same', got {mode!r}")
    if method not in _METHODS:
        raise ValueError(f"method: expected 'auto', 'direct' or 'fft', got {method!r}")
    for arr, name in ((a, "in1"), (b, "in2")):
        if not 1 <= arr.ndim <= 3:
            raise ValueError(f"{name}: expected a 1-D, 2-D or 3-D array, got shape {arr.shape}")
    if a.ndim != b.ndim:
        raise ValueError(f"in1 and in2 should have the same dimensionality, got {a.ndim} and {b.ndim} "
                         f"dimensions")
    if mode == "valid" and a.size and b.size:
        if not (all(i >= j for i, j in zip(a.shape, b.shape)) or
                all(j >= i for i, j in zip(a.shape, b.shape))):
            raise ValueError(f"in1 and in2: for mode 'valid' one must be at least as large as the other "
                             f"in every dimension, got shapes {a.shape} and {b.shape}")


def _output_shape(s1, s2, mode):
    if mode == "full":
        return tuple(i + j - 1 for i, j in zip(s1, s2))
    if mode == "same":
        return tuple(s1)
    return tuple(abs(i - j) + 1 for i, j in zip(s1, s2))


def _next_fast_len(n: int) -> int:
    """The smallest 5-smooth number (2^a 3^b 5^c) >= n: sizes numpy's FFT handles fastest."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def choose_conv_method(in1, in2, mode: str = "full") -> str:
    """'direct' or 'fft', whichever convolve/correlate(method='auto') would use.

    The rule: with M = prod(output shape) * (size of the smaller array), the
    direct method's multiply-adds, and F = prod(5-smooth padded full shape),
    choose 'fft' when M > 60 * F * log2(F). In practice that means large
    kernels: in 'same' mode, 1-D kernels of more than about 1000 taps on
    100,000 samples, 2-D kernels beyond about 35x35 on a 256x256 image, 3-D
    kernels beyond about 12x12x12 on a 48^3 volume.
    """
    a, b = np.asarray(in1), np.asarray(in2)
    if a.size == 0 or b.size == 0:
        return "direct"
    madds = math.prod(_output_shape(a.shape, b.shape, mode)) * min(a.size, b.size)
    padded = math.prod(_next_fast_len(i + j - 1) for i, j in zip(a.shape, b.shape))
    return "fft" if madds > _FFT_RATIO * padded * math.log2(max(padded, 2)) else "direct"


def _centered(full: np.ndarray, shape) -> np.ndarray:
    starts = [(n - m) // 2 for n, m in zip(full.shape, shape)]
    return full[tuple(slice(s, s + m) for s, m in zip(starts, shape))]


def _fft_convolve(a: np.ndarray, b: np.ndarray, mode: str) -> np.ndarray:
    full_shape = [i + j - 1 for i, j in zip(a.shape, b.shape)]
    fshape = [_next_fast_len(n) for n in full_shape]
    axes = tuple(range(a.ndim))
    spectrum = (np.fft.rfftn(a.astype(np.float64), fshape, axes)
                * np.fft.rfftn(b.astype(np.float64), fshape, axes))
    full = np.fft.irfftn(spectrum, fshape, axes)[tuple(slice(0, n) for n in full_shape)]
    return np.ascontiguousarray(_centered(full, _output_shape(a.shape, b.shape, mode)), dtype=np.float32)


def _run(in1, in2, mode: str, method: str, correlation: bool) -> np.ndarray:
    a, b = _as_float32(in1, "in1"), _as_float32(in2, "in2")
    _check(a, b, mode, method)
    if a.size == 0 or b.size == 0:
        return np.array([], dtype=np.float32)
    if method == "auto":
        method = choose_conv_method(a, b, mode)
    if method == "fft":
        # correlate(in1, in2) = convolve(in1, in2 flipped along every axis)
        kernel = np.ascontiguousarray(b[(slice(None, None, -1),) * b.ndim]) if correlation else b
        return _fft_convolve(a, kernel, mode)
    out = (_C.signal_correlate if correlation else _C.signal_convolve)(a, b, mode)
    return out.numpy()


def convolve(in1, in2, mode: str = "full", method: str = "auto") -> np.ndarray:
    """True convolution of two N-d arrays (N = 1, 2 or 3), as scipy.signal.convolve:
    ``out[n] = sum_m in1[m] * in2[n - m]``.

    in1, in2: array-likes (or Tensors) with the same number of dimensions.
    mode: 'full', 'valid' or 'same'; method: 'auto', 'direct' or 'fft'
    (see the module docstring). Returns a float32 NumPy array.
    """
    return _run(in1, in2, mode, method, correlation=False)


def correlate(in1, in2, mode: str = "full", method: str = "auto") -> np.ndarray:
    """Cross-correlation of two N-d arrays (N = 1, 2 or 3), as scipy.signal.correlate:
    ``out[k] = sum_l in1[l + k - (n2 - 1)] * in2[l]`` (per dimension, full mode).

    in1, in2: array-likes (or Tensors) with the same number of dimensions.
    mode: 'full', 'valid' or 'same'; method: 'auto', 'direct' or 'fft'
    (see the module docstring). Returns a float32 NumPy array.
    """
    return _run(in1, in2, mode, method, correlation=True)
