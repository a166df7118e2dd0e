"""The worked examples of SPEC.md section 7 (items 1, 2, 3, 4, 6, 7 and 10; pooling ones in test_pooling_golden.py)."""
import numpy as np

import convcore.functional as F


def conv(image, kernel, **kw):
    x = np.asarray(image, np.float32)[None, None]
    w = np.asarray(kernel, np.float32)[None, None]
    return np.asarray(F.conv2d(x, w, **kw))[0, 0]


def rows(*strings):
    return np.array([[int(c) for c in s] for s in strings], np.float32)


def test_vertical_edge():
    image = np.array([[10, 10, 10, 0, 0, 0]] * 6, np.float32)
    kernel = np.array([[1, 0, -1]] * 3, np.float32)
    assert conv(image, kernel).tolist() == [[0, 30, 30, 0]] * 4
    # True convolution flips the kernel: the edge's sign flips.
    assert conv(image, kernel[::-1, ::-1]).tolist() == [[0, -30, -30, 0]] * 4
    mirrored = image[:, ::-1]
    assert conv(mirrored, kernel).tolist() == [[0, -30, -30, 0]] * 4
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)
    assert conv(image, sobel).tolist() == [[0, 40, 40, 0]] * 4
    horizontal = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], np.float32)
    assert conv(image, horizontal).tolist() == [[0, 0, 0, 0]] * 4
    assert conv(image.T, horizontal).tolist() == [[0] * 4, [30] * 4, [30] * 4, [0] * 4]


X_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]


def test_seven_by_seven_example():
    image = rows("0111000", "0011100", "0001110", "0001100", "0011000", "0110000", "1100000")
    assert conv(image, X_KERNEL).tolist() == rows("14341", "12433", "12341", "13311", "33110").tolist()


def test_five_by_five_example():
    image = rows("11100", "01110", "00111", "00110", "01100")
    assert conv(image, X_KERNEL).tolist() == rows("434", "243", "234").tolist()


def test_six_by_six_filters_stride_and_pooling():
    image = rows("100001", "010010", "001100", "100010", "010010", "001010")
    f1 = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
    f2 = [[-1, 1, -1]] * 3
    m1 = conv(image, f1)
    assert m1.tolist() == [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]]
    assert conv(image, f1, stride=2).tolist() == [[3, -3], [-3, 0]]
    m2 = conv(image, f2)
    assert m2.tolist() == [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]]
    # 2x2 / stride 2 max pooling of both maps (a reshape-max until the pooling op exists).
    pool = lambda m: m.reshape(2, 2, 2, 2).max(axis=(1, 3))
    assert pool(m1).tolist() == [[3, 0], [3, 1]]
    assert pool(m2).tolist() == [[-1, 1], [0, 3]]


def test_one_dimensional_sizes_and_weight_gradient():
    x = np.arange(1, 8, dtype=np.float32)  # x1..x7
    w = np.array([0.5, -1.0, 2.0], np.float32)
    x4d, w4d = x[None, None, None], w[None, None, None]
    size = lambda **kw: np.asarray(F.conv2d(x4d, w4d, **kw)).shape[-1]
    assert size() == 5
    assert size(padding=(0, 1)) == 7
    assert size(stride=(1, 2)) == 3
    assert size(dilation=(1, 2)) == 3
    # da = e_4 (one-hot at the 4th output, 1-based): dw = (x4, x5, x6).
    da = np.zeros((1, 1, 1, 5), np.float32)
    da[..., 3] = 1
    _, dw, _ = F.conv2d_backward(da, x4d, w4d)
    assert np.asarray(dw).ravel().tolist() == [4, 5, 6]


def test_item_seven_convolution_sizes():
    def out(h, c, k, kernel, **kw):
        x = np.zeros((1, c, h, h), np.float32)
        return F.conv2d(x, np.zeros((k, c, kernel, kernel), np.float32), **kw).shape[1:]

    assert out(227, 3, 96, 11, stride=4) == (96, 55, 55)              # AlexNet conv1
    assert out(27, 96, 256, 5, padding=2) == (256, 27, 27)            # conv2 keeps 27
    assert out(39, 3, 10, 3) == (10, 37, 37)                          # 39x39x3 -(3, 10)-> 37
    assert out(37, 10, 20, 5, stride=2) == (20, 17, 17)               # -(5, s2, 20)-> 17
    c, h, w = out(17, 20, 40, 5, stride=2)                            # -(5, s2, 40)-> 7x7x40
    assert (c, h, w) == (40, 7, 7) and c * h * w == 1960


def test_item_ten_shift_invariance_and_equivariance(rng):
    x = rng.standard_normal((1, 2, 12, 12)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    shifted = np.roll(x, (2, 3), axis=(2, 3))
    # Global sum pooling does not see a (circular) shift.
    total = lambda t: np.asarray(F.global_avg_pool2d(t))[..., 0, 0] * 144  # noqa: E731
    np.testing.assert_allclose(total(shifted), total(x), rtol=1e-5)
    # Convolution commutes with shifts: conv(shift(x)) == shift(conv(x)).
    conv_c = lambda t: np.asarray(F.conv2d(t, w, padding=1, padding_mode="circular"))  # noqa: E731
    np.testing.assert_allclose(conv_c(shifted), np.roll(conv_c(x), (2, 3), axis=(2, 3)),
                               rtol=1e-4, atol=1e-5)
    # ... but not with rotation or scaling, for a filter without those symmetries.
    rot = lambda t: np.ascontiguousarray(np.rot90(t, 1, axes=(2, 3)))  # noqa: E731
    assert not np.allclose(conv_c(rot(x)), rot(conv_c(x)), atol=1e-3)
    up = lambda t: np.ascontiguousarray(t.repeat(2, axis=2).repeat(2, axis=3))  # noqa: E731
    assert not np.allclose(conv_c(up(x)), up(conv_c(x)), atol=1e-3)
