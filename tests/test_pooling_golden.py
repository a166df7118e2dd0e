"""The pooling parts of SPEC.md section 7: item 5 (the X/O example: three
filters, mean of products, ReLU, 2x2 / stride 2 max pooling in ceil mode),
item 4's 2x2 / 2 max pooling, item 7's pooling sizes, and the pooling
layers of the section 6 tables."""
import numpy as np
import pytest

import convcore.functional as F

NINTHS = 9.0


def x_or_o_image():
    """9x9 of -1; both diagonals from (1,1) to (7,7) and (1,7) to (7,1) are +1."""
    img = -np.ones((9, 9), np.float32)
    for i in range(1, 8):
        img[i, i] = 1
        img[i, 8 - i] = 1
    return img


DIAGONAL = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]   # filter 1 of example 4
X_FILTER = [[1, -1, 1], [-1, 1, -1], [1, -1, 1]]
ANTI_DIAGONAL = [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]


def feature_map(kernel):
    x = x_or_o_image()[None, None]
    w = np.asarray(kernel, np.float32)[None, None]
    return F.conv2d(x, w) / 9.0   # the mean of the products


def test_x_or_o_convolution_first_row():
    m = np.asarray(feature_map(DIAGONAL))[0, 0]
    assert m.shape == (7, 7)
    np.testing.assert_allclose(m[0] * NINTHS, [7, -1, 1, 3, 5, -1, 3], atol=1e-5)


@pytest.mark.parametrize("kernel,pooled", [
    (DIAGONAL, [[9, 3, 5, 3], [3, 9, 3, 5], [5, 3, 9, 1], [3, 5, 1, 7]]),
    (X_FILTER, [[5, 3, 5, 3], [3, 9, 5, 1], [5, 5, 5, 1], [3, 1, 1, 3]]),
    (ANTI_DIAGONAL, [[3, 5, 9, 7], [5, 5, 9, 3], [9, 9, 1, 5], [7, 3, 5, 3]]),
])
def test_x_or_o_relu_then_ceil_mode_max_pool(kernel, pooled):
    y = F.max_pool2d(F.relu(feature_map(kernel)), 2, stride=2, ceil_mode=True)
    assert y.shape == (1, 1, 4, 4)   # 7x7 -> 4x4: the partial last window is kept
    np.testing.assert_allclose(np.asarray(y)[0, 0] * NINTHS, pooled, atol=1e-5)
    # Without ceil mode the last row and column of the 7x7 map are dropped.
    assert F.max_pool2d(F.relu(feature_map(kernel)), 2).shape == (1, 1, 3, 3)


def test_six_by_six_maps_pooled():
    m1 = np.array([[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]], np.float32)
    m2 = np.array([[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]], np.float32)
    pooled = np.asarray(F.max_pool2d(np.stack([m1, m2])[None], 2, 2))[0]
    assert pooled[0].tolist() == [[3, 0], [3, 1]]
    assert pooled[1].tolist() == [[-1, 1], [0, 3]]


def size(h, **kw):
    return F.max_pool2d(np.zeros((1, 1, h, h), np.float32), **kw).shape[-1]


def test_pooling_sizes_of_item_seven():
    assert size(55, kernel_size=3, stride=2) == 27            # AlexNet after conv1
    assert size(27, kernel_size=3, stride=2) == 13
    assert size(13, kernel_size=3, stride=2) == 6
    y = F.max_pool2d(np.zeros((1, 64, 224, 224), np.float32), 2)
    assert y.shape == (1, 64, 112, 112)                        # 224x224x64 -> 112x112x64
    assert size(5, kernel_size=3, stride=1) == 3               # 5x5, 3x3 / 1 -> 3x3 (not 2x2)
    assert F.avg_pool2d(np.zeros((1, 1, 5, 5), np.float32), 3, 1).shape[-2:] == (3, 3)


def test_pooling_layers_of_the_reference_tables():
    assert size(24, kernel_size=2) == 12 and size(8, kernel_size=2) == 4     # small net, MNIST
    assert size(28, kernel_size=2) == 14 and size(10, kernel_size=2) == 5    # CIFAR-10
    assert F.avg_pool2d(np.zeros((1, 6, 28, 28), np.float32), 2).shape == (1, 6, 14, 14)  # LeNet-5
    assert size(110, kernel_size=3, stride=2, padding=1) == 55               # ZFNet
    assert size(26, kernel_size=3, stride=2, padding=1) == 13
    assert size(112, kernel_size=3, stride=2, padding=1) == 56               # GoogLeNet
    assert size(56, kernel_size=3, stride=2, padding=1) == 28
    assert F.avg_pool2d(np.zeros((1, 1024, 7, 7), np.float32), 7).shape == (1, 1024, 1, 1)
    assert F.avg_pool2d(np.zeros((1, 512, 14, 14), np.float32), 5, 3).shape == (1, 512, 4, 4)
