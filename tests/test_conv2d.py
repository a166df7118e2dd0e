"""conv2d forward and every gradient against the float64 NumPy reference,
over a grid of shapes and options, on every instruction-set level."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import conv_reference as ref

# (N, C, H, W, K, (R, S), stride, padding, dilation, groups)
CASES = [
    (2, 3, 9, 11, 5, (3, 3), 1, 0, 1, 1),              # odd sizes, valid
    (1, 4, 10, 10, 6, (3, 3), 2, 1, 1, 2),             # strided, padded, 2 groups
    (3, 8, 13, 7, 8, (3, 3), 1, 2, 2, 8),              # depthwise, dilated
    (2, 6, 12, 12, 12, (3, 3), 1, 1, 1, 6),            # depthwise, channel multiplier 2
    (2, 4, 19, 37, 4, (3, 3), 1, 1, 1, 4),             # depthwise, partial row and column tiles
    (1, 6, 17, 23, 6, (3, 3), 2, 1, 1, 6),             # depthwise, stride 2 (MobileNet)
    (2, 3, 9, 40, 6, (5, 3), 1, (0, 1, 3, 2), (1, 2), 3),  # depthwise 5x3, dilated, per side, x2
    (1, 2, 6, 6, 2, (3, 3), 1, 3, 1, 2),               # depthwise, padding wider than the kernel
    (2, 16, 8, 8, 32, (1, 1), 1, 0, 1, 1),             # pointwise
    (2, 8, 9, 9, 16, (1, 1), 2, 0, 1, 1),              # 1x1 stride 2 (ResNet downsample)
    (1, 3, 20, 20, 17, (7, 7), 2, 3, 1, 1),            # 7x7/2 stem
    (4, 6, 14, 14, 16, (5, 5), 1, 0, 1, 1),            # LeNet conv2
    (2, 2, 9, 11, 70, (3, 3), 1, 1, 1, 1),             # few inputs, many outputs (direct, ragged)
    (2, 4, 11, 13, 6, (3, 5), (2, 1), (1, 2), (1, 2), 1),  # rectangular everything
    (1, 5, 8, 9, 7, (2, 4), 1, (0, 1, 2, 3), 1, 1),    # asymmetric per-side padding
    (2, 6, 15, 15, 9, (3, 3), 3, 2, 2, 3),             # dilation with stride, 3 groups
    (1, 2, 5, 5, 3, (5, 5), 1, 0, 1, 1),               # kernel as large as the input (dense)
    (9, 16, 5, 5, 120, (5, 5), 1, 0, 1, 1),            # LeNet C5: dense, odd batch
    (3, 4, 3, 4, 6, (3, 4), 2, 0, 1, 2),               # dense, rectangular, grouped, strided
    (2, 3, 1, 1, 4, (1, 1), 1, 0, 1, 1),               # 1x1 input
    (1, 1, 6, 6, 1, (3, 3), 1, "same", 1, 1),          # 'same'
    (2, 3, 7, 8, 4, (4, 2), 1, "same", (2, 1), 1),     # 'same', even kernel, dilated
    (2, 3, 7, 8, 4, (3, 3), 1, "valid", 1, 1),         # 'valid'
    (3, 64, 10, 10, 40, (3, 3), 1, 1, 1, 1),           # direct, 3-5 vectors of channels
    (2, 6, 11, 11, 24, (3, 3), 2, 1, 1, 1),            # direct, 2-3 vectors, stride 2
    (2, 8, 9, 9, 100, (3, 3), 1, 1, 1, 1),             # padded-grid GEMM, several row tiles
    (2, 8, 9, 9, 12, (3, 3), 1, 1, 1, 4),              # grouped, stride 1
    (1, 3, 5, 5, 2, (3, 3), 1, 3, 1, 1),               # padding wider than the kernel
    (5, 4, 20, 20, 8, (3, 3), 1, 1, 1, 1),             # 400 positions per image, odd batch
    (1, 8, 70, 61, 24, (3, 3), 1, 1, 1, 1),            # a large image cut into bands of rows
    (1, 6, 66, 70, 20, (5, 3), 1, (1, 2, 2, 1), (2, 1), 1),  # bands, dilated, per-side padding
]


def _pad4(padding, R, S, dilation):
    if padding == "valid":
        return (0, 0, 0, 0)
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    if padding == "same":
        th, tw = dh * (R - 1), dw * (S - 1)
        return (tw // 2, tw - tw // 2, th // 2, th - th // 2)
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 2:
        return (padding[1], padding[1], padding[0], padding[0])
    return tuple(padding)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _run_case(case, rng, mode="zeros", with_bias=True):
    N, C, H, W, K, (R, S), stride, padding, dilation, groups = case
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = rng.standard_normal((K, C // groups, R, S)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32) if with_bias else None
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode)
    refkw = dict(stride=_pair(stride), pad4=_pad4(padding, R, S, dilation),
                 dilation=_pair(dilation), groups=groups, mode=mode)
    y = F.conv2d(x, w, b, **kw)
    y_ref = ref.conv2d(x, w, b, **refkw)
    np.testing.assert_allclose(np.asarray(y), y_ref, rtol=1e-4, atol=1e-4 * np.abs(y_ref).max())
    dy = rng.standard_normal(y_ref.shape).astype(np.float32)
    grads = F.conv2d_backward(dy, x, w, **kw)
    grads_ref = ref.conv2d_backward(dy, x, w, **refkw)
    for name, got, want in zip(("input", "weight", "bias"), grads, grads_ref):
        scale = max(np.abs(want).max(), 1.0)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=2e-5 * scale,
                                   err_msg=f"grad_{name}")


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_conv2d_matches_reference(case, isa, rng):
    _run_case(case, rng)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("case", [CASES[1], CASES[8], CASES[9], CASES[13]], ids=["s2g2", "rect", "asym", "same"])
def test_conv2d_padding_modes(case, mode, rng):
    _run_case(case, rng, mode=mode)


def test_conv2d_without_bias(rng):
    _run_case(CASES[0], rng, with_bias=False)


def test_conv2d_autograd_matches_explicit_backward(rng):
    x = cc.tensor(rng.standard_normal((2, 4, 9, 9)), requires_grad=True)
    w = cc.tensor(rng.standard_normal((6, 2, 3, 3)), requires_grad=True)
    b = cc.tensor(rng.standard_normal(6), requires_grad=True)
    y = F.conv2d(x, w, b, stride=2, padding=1, groups=2)
    assert y.requires_grad and y.grad_fn == "Conv2dBackward"
    dy = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(dy)
    gx, gw, gb = F.conv2d_backward(dy, x.detach(), w.detach(), stride=2, padding=1, groups=2)
    np.testing.assert_array_equal(np.asarray(x.grad), np.asarray(gx))
    np.testing.assert_array_equal(np.asarray(w.grad), np.asarray(gw))
    np.testing.assert_array_equal(np.asarray(b.grad), np.asarray(gb))


def test_conv2d_autograd_through_padding_mode(rng):
    x = cc.tensor(rng.standard_normal((1, 2, 6, 7)), requires_grad=True)
    w = cc.tensor(rng.standard_normal((3, 2, 3, 3)))
    y = F.conv2d(x, w, padding=2, padding_mode="reflect")
    dy = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(dy)
    want = ref.conv2d_backward(dy, np.asarray(x), np.asarray(w), pad4=(2, 2, 2, 2), mode="reflect")[0]
    np.testing.assert_allclose(np.asarray(x.grad), want, rtol=1e-4, atol=1e-4)
    assert w.grad is None  # weight did not require grad


def test_output_mask(rng):
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    dy = rng.standard_normal((1, 3, 3, 3)).astype(np.float32)
    gx, gw, gb = F.conv2d_backward(dy, x, w, output_mask=(False, True, False))
    assert gx is None and gb is None and gw.shape == (3, 2, 3, 3)


def test_results_do_not_depend_on_thread_count(rng):
    x = rng.standard_normal((3, 8, 12, 12)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    dy = rng.standard_normal((3, 16, 12, 12)).astype(np.float32)
    old = cc.get_num_threads()
    try:
        out = []
        for threads in (1, 2, 1):
            cc.set_num_threads(threads)
            y = np.asarray(F.conv2d(x, w, padding=1)).copy()
            gx, gw, _ = F.conv2d_backward(dy, x, w, padding=1)
            out.append((y, np.asarray(gx).copy(), np.asarray(gw).copy()))
        for a, b in zip(out[0], out[2]):  # same threads, same bits
            np.testing.assert_array_equal(a, b)
        for a, b in zip(out[0], out[1]):  # other threads, same values
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)
    finally:
        cc.set_num_threads(old)


def test_batch_one_large_image_uses_threads_correctly(rng):
    # Batch 1: the GEMM itself is split across threads (row and column slabs).
    x = rng.standard_normal((1, 16, 40, 40)).astype(np.float32)
    w = rng.standard_normal((24, 16, 3, 3)).astype(np.float32)
    dy = rng.standard_normal((1, 24, 40, 40)).astype(np.float32)
    old = cc.get_num_threads()
    cc.set_num_threads(2)
    try:
        y = F.conv2d(x, w, padding=1)
        g = F.conv2d_backward(dy, x, w, padding=1)
    finally:
        cc.set_num_threads(old)
    np.testing.assert_allclose(np.asarray(y), ref.conv2d(x, w, pad4=(1, 1, 1, 1)), rtol=1e-4, atol=1e-3)
    for got, want in zip(g, ref.conv2d_backward(dy, x, w, pad4=(1, 1, 1, 1))):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("algorithm, shape, K, R, kw", [
    ("implicit_gemm", (1, 70, 34, 30), 77, 3, dict(stride=2, padding=1)),
    ("padded_gemm", (1, 66, 20, 20), 100, 3, dict(padding=1)),
    ("pointwise", (1, 64, 20, 21), 90, 1, dict()),
], ids=lambda v: v if isinstance(v, str) else None)
def test_weights_read_in_place_at_batch_one(algorithm, shape, K, R, kw, isa, rng):
    """One thread, one image: each weight row feeds one unit, and the GEMM
    micro-kernel reads the weights in place instead of packing them (K not
    a multiple of any level's MR: the last row tile is partial)."""
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((K, shape[1], R, R)).astype(np.float32)
    old = cc.get_num_threads()
    cc.set_num_threads(1)
    try:
        assert F.conv2d_algorithm(x.shape, w.shape, **kw) == algorithm
        y = np.asarray(F.conv2d(x, w, **kw))
    finally:
        cc.set_num_threads(old)
    p = kw.get("padding", 0)
    want = ref.conv2d(x, w, stride=(kw.get("stride", 1),) * 2, pad4=(p, p, p, p))
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


@pytest.mark.parametrize("case", [
    (2, 5, 9, 16, 8, (3, 3), 1, 1, 1, 1),            # whole vectors of positions
    (3, 4, 6, 15, 5, (3, 3), 1, 1, 1, 1),            # a partial last vector, odd channel count
    (2, 6, 8, 31, 8, (3, 3), 1, 2, 2, 2),            # dilated, 2 groups of 4 channels
    (1, 3, 7, 17, 7, (5, 5), 1, 1, 1, 1),            # 5x5, more positions than one tile
    (2, 7, 5, 16, 3, (1, 3), 1, (1, 1, 0, 0), 1, 1),  # one row of taps, padding on the sides
    (2, 16, 10, 10, 6, (5, 5), 1, 4, 1, 1),          # LeNet C3's input gradient: edge rows skip taps
    (2, 3, 6, 12, 5, (3, 3), 1, 3, 1, 1),            # padding past the filter: rows of bias alone
], ids=["whole", "partial", "dilated-groups", "5x5", "1x3", "pad4", "pad3-3x3"])
def test_direct_rows_mode_matches_reference(case, isa, rng):
    """Few output channels on rows at least a vector wide: positions along
    the lanes (forward, the input gradient as a transposed forward, and for
    at most half a vector of channels the weight gradient)."""
    N, C, H, W, K, (R, S), stride, padding, dilation, groups = case
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert F.conv2d_algorithm((N, C, H, W), (K, C // groups, R, S), **kw) == "direct_rows"
    _run_case(case, rng)
    old = cc.get_num_threads()
    cc.set_num_threads(2)  # batch 1: each image's rows split; batch 3: per-thread sums
    try:
        _run_case((1,) + case[1:], rng)
        _run_case((3,) + case[1:], rng)
    finally:
        cc.set_num_threads(old)


@pytest.mark.parametrize("case", [
    (3, 8, 11, 13, 70, (3, 3), 2, 1, 1, 1),             # several images per GEMM, runs cross them
    (2, 6, 15, 12, 66, (3, 3), 3, (0, 1, 2, 3), 2, 1),  # stride 3, dilated, per-side padding
    (2, 10, 12, 12, 130, (1, 1), 2, 0, 1, 2),           # 1x1 stride 2, two groups of 65
    (2, 5, 9, 40, 72, (2, 4), (2, 1), (1, 2), 1, 1),    # stride 2 by 1, rectangular kernel
], ids=["batched", "stride3-dilated", "1x1s2-groups", "rect"])
def test_implicit_gemm_matches_reference(case, isa, rng):
    """The im2col packers: positions cut into runs along output rows (and
    packed slivers), taps copied run by run, and for the weight gradient
    staged as rows and turned by the transpose kernel."""
    N, C, H, W, K, (R, S), stride, padding, dilation, groups = case
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert F.conv2d_algorithm((N, C, H, W), (K, C // groups, R, S), **kw) == "implicit_gemm"
    old = cc.get_num_threads()
    try:
        for threads in (1, 2):
            cc.set_num_threads(threads)
            _run_case(case, rng)
    finally:
        cc.set_num_threads(old)


def test_pad_matches_numpy(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for mode in ("constant", "reflect", "replicate", "circular"):
        got = np.asarray(F.pad(x, (1, 2, 3, 0), mode=mode))
        want = ref.pad_nchw(x, (1, 2, 3, 0), "zeros" if mode == "constant" else mode)
        np.testing.assert_array_equal(got, want)
