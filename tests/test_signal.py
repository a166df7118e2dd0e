"""convcore.signal against scipy.signal for every mode and method in 1, 2 and
3 dimensions (the direct method on every instruction-set level), the algebra
of convolution and correlation, SPEC section 7 items 1 and 6, and errors."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
from convcore import signal

ss = pytest.importorskip("scipy.signal")

SHAPES = {  # (in1, in2): larger first, larger second, equal, even and odd, size 1, mixed
    1: [((9,), (3,)), ((4,), (7,)), ((6,), (6,)), ((8,), (4,)), ((1,), (5,)), ((5,), (1,)), ((600,), (37,))],
    2: [((7, 8), (3, 2)), ((3, 4), (5, 6)), ((5, 5), (5, 5)), ((6, 3), (2, 5)), ((1, 1), (3, 3)),
        ((40, 33), (4, 5))],
    3: [((5, 6, 7), (3, 2, 3)), ((2, 3, 2), (4, 4, 3)), ((4, 4, 4), (4, 4, 4)), ((5, 2, 4), (2, 3, 3)),
        ((1, 1, 1), (2, 2, 2))],
}
CASES = [(nd, a, b) for nd, pairs in SHAPES.items() for a, b in pairs]


def _valid_ok(a, b):
    return all(i >= j for i, j in zip(a, b)) or all(j >= i for i, j in zip(a, b))


def _scipy(fn, a, b, mode):
    # scipy in float64 on the float32 values convcore sees
    return getattr(ss, fn)(a.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64),
                           mode, method="direct")


@pytest.mark.parametrize("nd,s1,s2", CASES)
@pytest.mark.parametrize("fn", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("method", ["direct", "fft", "auto"])
def test_against_scipy(rng, nd, s1, s2, fn, mode, method):
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    if mode == "valid" and not _valid_ok(s1, s2):
        with pytest.raises(ValueError, match="valid"):
            getattr(signal, fn)(a, b, mode, method)
        return
    want = _scipy(fn, a, b, mode)
    got = getattr(signal, fn)(a, b, mode, method)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.sqrt(min(a.size, b.size)))


@pytest.mark.parametrize("nd,s1,s2", [c for c in CASES if c[1] != (600,)])
def test_direct_on_every_isa(isa, rng, nd, s1, s2):
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    for mode in ("full", "same"):
        np.testing.assert_allclose(signal.correlate(a, b, mode, "direct"), _scipy("correlate", a, b, mode),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(signal.convolve(a, b, mode, "direct"), _scipy("convolve", a, b, mode),
                                   rtol=1e-5, atol=1e-5)


def test_long_1d_is_split_across_threads(rng):
    a, b = rng.standard_normal(20000), rng.standard_normal(301)
    for mode in ("full", "same", "valid"):
        np.testing.assert_allclose(signal.correlate(a, b, mode, "direct"), _scipy("correlate", a, b, mode),
                                   rtol=1e-4, atol=1e-4)


def test_dtypes_and_inputs():
    a = np.array([[1, 0, 2], [3, 1, 0]], dtype=np.int64)
    b = np.array([[True, False], [False, True]])
    got = signal.correlate(a, b)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, ss.correlate(a, b.astype(np.int64)))
    t = cc.tensor(np.arange(5, dtype=np.float32))
    np.testing.assert_array_equal(signal.convolve(t, [1.0, 1.0]), [0, 1, 3, 5, 7, 4])
    assert signal.convolve([], [1.0, 2.0]).size == 0  # as scipy: an empty input gives an empty array


def test_auto_rule():
    assert signal.choose_conv_method(np.zeros(100000), np.zeros(16)) == "direct"
    assert signal.choose_conv_method(np.zeros(100000), np.zeros(4096)) == "fft"
    assert signal.choose_conv_method(np.zeros((256, 256)), np.zeros((5, 5)), "same") == "direct"
    assert signal.choose_conv_method(np.zeros((256, 256)), np.zeros((63, 63)), "same") == "fft"
    # A large kernel with a tiny 'valid' output stays direct: few multiply-adds.
    assert signal.choose_conv_method(np.zeros((64, 64)), np.zeros((63, 63)), "valid") == "direct"


# ---------------------------------------------------------------- algebra

def _arrays(rng, nd):
    shapes = {1: [(7,), (4,), (3,)], 2: [(5, 6), (3, 2), (2, 3)], 3: [(4, 3, 5), (2, 2, 3), (3, 2, 2)]}[nd]
    return [rng.integers(-3, 4, size=s).astype(np.float64) for s in shapes]  # exact in float32


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_convolution_is_commutative_and_associative(rng, nd):
    x, h, g = _arrays(rng, nd)
    np.testing.assert_array_equal(signal.convolve(x, h), signal.convolve(h, x))
    np.testing.assert_array_equal(signal.convolve(signal.convolve(x, h), g),
                                  signal.convolve(x, signal.convolve(h, g)))


def test_correlation_is_neither_commutative_nor_associative():
    a, b, c = np.array([1.0, 2, 3]), np.array([0.0, 1, 0.5]), np.array([1.0, -1])
    ab, ba = signal.correlate(a, b), signal.correlate(b, a)
    np.testing.assert_array_equal(ab, [0.5, 2, 3.5, 3, 0])
    np.testing.assert_array_equal(ba, [0, 3, 3.5, 2, 0.5])  # the reverse, not the same
    left, right = signal.correlate(signal.correlate(a, b), c), signal.correlate(a, signal.correlate(b, c))
    np.testing.assert_array_equal(left, [-0.5, -1.5, -1.5, 0.5, 3, 0])
    np.testing.assert_array_equal(right, [0.5, 1.5, 1.5, -0.5, -3, 0])


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolution_is_correlation_with_the_flipped_kernel(rng, nd, mode):
    x, h, _ = _arrays(rng, nd)
    flip = h[(slice(None, None, -1),) * nd]
    for method in ("direct", "fft"):
        np.testing.assert_allclose(signal.convolve(x, h, mode, method), signal.correlate(x, flip, mode, method),
                                   atol=1e-4)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_impulses(rng, nd):
    x, w, _ = _arrays(rng, nd)
    w = w[tuple(slice(0, n - 1 + n % 2) for n in w.shape)]  # odd sizes: a centre exists
    delta = np.zeros(w.shape)
    delta[tuple(n // 2 for n in w.shape)] = 1.0
    np.testing.assert_array_equal(signal.convolve(x, delta, "same"), x)                   # x * delta == x
    np.testing.assert_array_equal(signal.convolve(x, np.ones((1,) * nd)), x)
    flip = w[(slice(None, None, -1),) * nd]
    np.testing.assert_array_equal(signal.correlate(delta, w, "same"), flip)  # w xcorr delta == flip(w)
    np.testing.assert_array_equal(signal.correlate(np.ones((1,) * nd), w), flip)
    np.testing.assert_array_equal(signal.convolve(np.ones((1,) * nd), w), w)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("fn", ["convolve", "correlate"])
def test_shifts_commute(rng, nd, fn):
    x, h, _ = _arrays(rng, nd)
    shift = [(s, 0) for s in (2, 1, 3)[:nd]]
    out = getattr(signal, fn)(x, h)
    np.testing.assert_array_equal(getattr(signal, fn)(np.pad(x, shift), h), np.pad(out, shift))


# ---------------------------------------------------------------- SPEC section 7

def test_vertical_edge():
    image = np.zeros((6, 6))
    image[:, :3] = 10
    kernel = np.array([[1, 0, -1]] * 3, dtype=np.float64)
    np.testing.assert_array_equal(signal.correlate(image, kernel, "valid"), [[0, 30, 30, 0]] * 4)
    np.testing.assert_array_equal(signal.convolve(image, kernel, "valid"), [[0, -30, -30, 0]] * 4)
    np.testing.assert_array_equal(signal.correlate(image[:, ::-1], kernel, "valid"), [[0, -30, -30, 0]] * 4)
    # A conv layer computes the correlation.
    layer = F.conv2d(image[None, None].astype(np.float32), kernel[None, None].astype(np.float32))
    np.testing.assert_array_equal(np.asarray(layer)[0, 0], [[0, 30, 30, 0]] * 4)


def test_1d_sizes_and_weight_gradient():
    x = np.arange(1, 8, dtype=np.float64) * 10  # x1..x7
    w = np.array([1.0, -2.0, 3.0])
    assert signal.correlate(x, w, "valid").size == 5                              # standard
    assert signal.correlate(x, w, "same").size == 7                               # p = 1
    assert signal.correlate(x, w, "valid")[::2].size == 3                         # s = 2
    assert signal.correlate(x, np.array([1.0, 0, -2, 0, 3]), "valid").size == 3   # t = 2: r_eff = 5
    da = np.zeros(5)
    da[3] = 1.0                                                                   # e_4
    # dw = da xcorr x = (x4, x5, x6)
    np.testing.assert_array_equal(signal.correlate(x, da, "valid"), [40, 50, 60])


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("call,exc,match", [
    (lambda: signal.convolve([1, 2], [1], mode="circular"), ValueError, "mode"),
    (lambda: signal.correlate([1, 2], [1], method="winograd"), ValueError, "method"),
    (lambda: signal.convolve(np.ones((2, 2)), np.ones(2)), ValueError, "same dimensionality"),
    (lambda: signal.convolve(np.ones((2,) * 4), np.ones((2,) * 4)), ValueError, "1-D, 2-D or 3-D"),
    (lambda: signal.convolve(3.0, 2.0), ValueError, "1-D, 2-D or 3-D"),
    (lambda: signal.convolve(np.ones(3, np.complex64), np.ones(2)), TypeError, "complex"),
    (lambda: signal.convolve(np.array(["a", "b"]), np.ones(2)), TypeError, "in1"),
    (lambda: signal.correlate(np.ones((2, 3)), np.ones((3, 2)), "valid"), ValueError, "valid"),
    (lambda: cc._C.signal_correlate(np.ones((2, 3), np.float32), np.ones(2, np.float32), "full"),
     ValueError, "same dimensionality"),
    (lambda: cc._C.signal_correlate(np.ones(0, np.float32), np.ones(2, np.float32), "full"),
     ValueError, "non-empty"),
    (lambda: cc._C.signal_convolve(np.ones(3, np.float32), np.ones(2, np.float32), "half"), ValueError, "mode"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
