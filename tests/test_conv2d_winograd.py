"""Winograd F(4x4, 3x3) convolution (cpp/src/ops/conv2d_winograd.cpp).

The plan must choose it exactly where it is meant to, and its results must
stay within a stated bound of the float64 reference at every instruction-set
level: forward, the input gradient (a forward pass of the transposed
problem, with its flipped filters) and the weight gradient (F(3x3, 4x4) on
the same points).

The bound: Winograd's rounding error grows with the magnitudes it sums, not
with the result, so it is measured against |x| * |w| (the convolution of the
absolute values), per output. In float32 F(4x4, 3x3) reaches 1e-6 to 5e-6
of that, the direct product 1e-7 to 3e-7. The tests allow 2e-5.
"""
import numpy as np
import pytest

import convcore as cc
import conv_reference as ref

F = cc.functional
BOUND = 2e-5


@pytest.fixture(autouse=True)
def winograd_on():
    previous = cc.winograd_enabled()
    cc.set_winograd_enabled(True)
    yield
    cc.set_winograd_enabled(previous)


def _check_close(got, want, magnitude, what):
    err = np.abs(np.asarray(got, dtype=np.float64) - want)
    worst = (err / np.maximum(magnitude, 1e-30)).max()
    assert worst <= BOUND, f"{what}: error {worst:.2e} of |x|*|w| exceeds {BOUND:.0e}"


# (N, C, K, H, W, padding): tile counts that fill several slivers, one
# block or many, partial tiles at the right and bottom edges, channel counts
# that are not multiples of MR or of the lanes, paddings 0-2 and asymmetric.
# 5, 7, 8 and 10 also take Winograd for the weight gradient (many channels or
# a wide map); 6, 9 and 10 put images along the lanes (narrow maps, a batch
# of at least the lanes; 9 and 10 with a last group of images partly empty).
# 11 has runs of 18 tiles (more than one 16-lane gather, the last partial).
# See conv2d_plan.cpp.
CASES = [
    (2, 32, 32, 16, 16, 1),
    (1, 40, 36, 23, 29, 1),
    (6, 33, 70, 13, 10, 0),
    (2, 64, 48, 18, 17, 2),
    (1, 32, 96, 30, 22, (0, 2, 1, 0)),
    (8, 128, 128, 7, 7, 1),
    (64, 32, 32, 8, 8, 1),
    (1, 32, 40, 34, 37, 1),
    (6, 64, 72, 10, 9, (1, 0, 2, 1)),
    (40, 32, 36, 13, 11, 1),
    (33, 64, 70, 6, 7, (1, 0, 1, 1)),
    (1, 32, 34, 9, 70, 1),
]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "nobias"])
def test_forward_within_bound(case, with_bias, isa, rng):
    N, C, K, H, W, padding = case
    assert F.conv2d_algorithm((N, C, H, W), (K, C, 3, 3), padding=padding) == "winograd"
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = (rng.standard_normal((K, C, 3, 3)) / np.sqrt(9 * C)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32) if with_bias else None
    pad4 = (padding,) * 4 if isinstance(padding, int) else padding
    want = ref.conv2d(x, w, b, pad4=pad4)
    magnitude = ref.conv2d(np.abs(x), np.abs(w), None if b is None else np.abs(b), pad4=pad4)
    _check_close(F.conv2d(x, w, b, padding=padding), want, magnitude, "forward")


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_gradients_within_bound(case, isa, rng):
    N, C, K, H, W, padding = case
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = (rng.standard_normal((K, C, 3, 3)) / np.sqrt(9 * C)).astype(np.float32)
    pad4 = (padding,) * 4 if isinstance(padding, int) else padding
    y_shape = ref.conv2d(x, w, pad4=pad4).shape
    # The transposed problem (C outputs from K inputs) is itself Winograd's.
    left, right, top, bottom = pad4
    assert F.conv2d_algorithm(y_shape, (C, K, 3, 3), padding=(2 - left, 2 - right, 2 - top, 2 - bottom)) == "winograd"
    dy = rng.standard_normal(y_shape).astype(np.float32)
    dx, dw, _ = F.conv2d_backward(dy, x, w, padding=padding)
    dx_ref, dw_ref, _ = ref.conv2d_backward(dy, x, w, pad4=pad4)
    dx_mag, dw_mag, _ = ref.conv2d_backward(np.abs(dy), np.abs(x), np.abs(w), pad4=pad4)
    _check_close(dx, dx_ref, dx_mag, "grad_input")
    _check_close(dw, dw_ref, dw_mag, "grad_weight")


def test_threads_split_output_channels(rng):
    """One block of tiles and two threads: the output channels are split."""
    x = rng.standard_normal((1, 48, 12, 12)).astype(np.float32)
    w = rng.standard_normal((50, 48, 3, 3)).astype(np.float32)
    previous = cc.get_num_threads()
    try:
        cc.set_num_threads(1)
        one = np.asarray(F.conv2d(x, w, padding=1))
        cc.set_num_threads(2)
        two = np.asarray(F.conv2d(x, w, padding=1))
    finally:
        cc.set_num_threads(previous)
    want = ref.conv2d(x, w, pad4=(1, 1, 1, 1))
    magnitude = ref.conv2d(np.abs(x), np.abs(w), pad4=(1, 1, 1, 1))
    _check_close(one, want, magnitude, "1 thread")
    _check_close(two, want, magnitude, "2 threads")


def test_switch_turns_it_off(rng):
    shape, wshape = (4, 64, 14, 14), (64, 64, 3, 3)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(wshape).astype(np.float32)
    fast = np.asarray(F.conv2d(x, w, padding=1))
    cc.set_winograd_enabled(False)
    assert not cc.winograd_enabled()
    assert F.conv2d_algorithm(shape, wshape, padding=1) != "winograd"
    exact = np.asarray(F.conv2d(x, w, padding=1))
    want = ref.conv2d(x, w, pad4=(1, 1, 1, 1))
    # Off, the exact path's error is well under Winograd's bound.
    magnitude = ref.conv2d(np.abs(x), np.abs(w), pad4=(1, 1, 1, 1))
    assert (np.abs(exact - want) / magnitude).max() < BOUND / 20
    assert not np.array_equal(fast, exact)  # the two paths really differ


@pytest.mark.parametrize("input_shape, weight_shape, kw", [
    ((8, 64, 32, 32), (64, 64, 3, 3), dict(stride=2, padding=1)),
    ((8, 64, 32, 32), (64, 64, 3, 3), dict(dilation=2, padding=2)),
    ((8, 64, 32, 32), (64, 32, 3, 3), dict(groups=2, padding=1)),
    ((8, 64, 32, 32), (64, 64, 5, 5), dict(padding=2)),
    ((8, 16, 32, 32), (64, 16, 3, 3), dict(padding=1)),   # too few input channels
    ((1, 64, 7, 7), (64, 64, 3, 3), dict(padding=1)),     # too few tiles to repay the filter transform
], ids=["stride2", "dilated", "grouped", "5x5", "few_channels", "few_tiles"])
def test_not_chosen_outside_its_domain(input_shape, weight_shape, kw):
    assert F.conv2d_algorithm(input_shape, weight_shape, **kw) != "winograd"


def test_algorithm_query_checks_its_arguments():
    with pytest.raises(ValueError, match="weight"):
        F.conv2d_algorithm((1, 3, 8, 8), (4, 3, 3))
    with pytest.raises(ValueError):
        F.conv2d_algorithm((1, 3, 8, 8), (4, 5, 3, 3))  # channel mismatch
