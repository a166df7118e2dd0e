"""Factorised convolutions equal the full convolution with the product kernel,
and cost less by SPEC section 4's counting rules:

- depthwise separable (MobileNet): depthwise r x r, then pointwise 1x1, equals
  the full conv with w[k, c] = p[k, c] * d[c]; multiplies in the ratio 1/K + 1/r^2;
- spatially separable (Inception v2): 1 x r then r x 1 equals the r x r conv
  with the outer-product kernel; ratio 2/r;
- flattened (Jin et al.): C x 1 x 1, then 1 x Y x 1, then 1 x 1 x X equals the
  rank-1 C x Y x X kernel; ratio (C + Y + X) / (C * Y * X).

Counts come from the shapes with section 4's rules: a conv has
(r_h * r_w * C/g + 1) * K parameters (bias included) and, without the
bias, K * C/g * r_h * r_w multiplies per output position.
"""
from fractions import Fraction

import numpy as np
import pytest

import convcore.functional as F
import conv_nd_reference as ref


def conv_params(weight_shape, bias=True):
    """Section 4: (r*r*C/g + 1) * K, from a weight [K, C/g, kernel...]."""
    K, Cg = weight_shape[:2]
    return (int(np.prod(weight_shape[2:])) * Cg + int(bias)) * K


def conv_multiplies(weight_shape, out_spatial):
    """Multiplies of one image: the weight count (no bias) at every output position."""
    return conv_params(weight_shape, bias=False) * int(np.prod(out_spatial))


# ---------------------------------------------------------------- depthwise separable

@pytest.mark.parametrize("N,C,H,W,K,r,stride,padding", [
    (1, 3, 6, 6, 5, 3, 1, 0),      # the SPEC's 6x6x3 -> 4x4x5 example
    (2, 8, 11, 9, 12, 3, 2, 1),
    (2, 4, 10, 10, 6, 5, 1, "same"),
])
def test_depthwise_separable_equals_product_kernel(isa, rng, N, C, H, W, K, r, stride, padding):
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    d = rng.standard_normal((C, 1, r, r)).astype(np.float32)
    p = rng.standard_normal((K, C, 1, 1)).astype(np.float32)
    separable = F.conv2d(F.conv2d(x, d, stride=stride, padding=padding, groups=C), p)
    w = p * d.transpose(1, 0, 2, 3)  # w[k, c] = p[k, c] * d[c]
    full = F.conv2d(x, w, stride=stride, padding=padding)
    np.testing.assert_allclose(np.asarray(separable), np.asarray(full), rtol=1e-4, atol=1e-4)
    pads = ((r // 2, r // 2),) * 2 if padding == "same" else ((padding, padding),) * 2
    np.testing.assert_allclose(np.asarray(full), ref.conv_nd(x, w, stride=(stride, stride), pads=pads),
                               rtol=1e-4, atol=1e-4)


def test_depthwise_separable_counts():
    C, K, r, out = 3, 5, 3, (4, 4)  # 6x6x3 -> 4x4x5 with 3x3 kernels
    depthwise = conv_multiplies((C, 1, r, r), out)
    pointwise = conv_multiplies((K, C, 1, 1), out)
    full = conv_multiplies((K, C, r, r), out)
    assert (depthwise, pointwise, full) == (432, 240, 2160)
    assert Fraction(depthwise + pointwise, full) == Fraction(1, K) + Fraction(1, r * r)
    # Parameters: the same ratio without biases; with them, section 4's formula.
    assert Fraction(conv_params((C, 1, r, r), bias=False) + conv_params((K, C, 1, 1), bias=False),
                    conv_params((K, C, r, r), bias=False)) == Fraction(1, K) + Fraction(1, r * r)
    assert conv_params((C, 1, r, r)) + conv_params((K, C, 1, 1)) == 30 + 20
    assert conv_params((K, C, r, r)) == 140
    # And for a MobileNet-sized layer.
    C, K = 256, 256
    ratio = Fraction(conv_multiplies((C, 1, 3, 3), (14, 14)) + conv_multiplies((K, C, 1, 1), (14, 14)),
                     conv_multiplies((K, C, 3, 3), (14, 14)))
    assert ratio == Fraction(1, K) + Fraction(1, 9)


# ---------------------------------------------------------------- spatially separable

@pytest.mark.parametrize("r,padding", [(3, 0), (5, 2), (7, 3)])
def test_spatially_separable_equals_outer_product(isa, rng, r, padding):
    x = rng.standard_normal((2, 1, 12, 13)).astype(np.float32)
    a = rng.standard_normal(r).astype(np.float32)  # vertical (r x 1)
    b = rng.standard_normal(r).astype(np.float32)  # horizontal (1 x r)
    rows = F.conv2d(x, b.reshape(1, 1, 1, r), padding=(0, padding))
    separable = F.conv2d(rows, a.reshape(1, 1, r, 1), padding=(padding, 0))
    outer = np.outer(a, b).reshape(1, 1, r, r)
    full = F.conv2d(x, outer, padding=padding)
    np.testing.assert_allclose(np.asarray(separable), np.asarray(full), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(full), ref.conv_nd(x, outer, pads=((padding, padding),) * 2),
                               rtol=1e-4, atol=1e-4)


def test_spatially_separable_multichannel(rng):
    """C -> M channels by 1 x r, then M -> K by r x 1: the full kernel is
    w[k, c, i, j] = sum_m v[k, m, i] * h[m, c, j] (rank M per (k, c))."""
    C, M, K, r = 3, 4, 5, 3
    x = rng.standard_normal((2, C, 9, 10)).astype(np.float32)
    h = rng.standard_normal((M, C, 1, r)).astype(np.float32)
    v = rng.standard_normal((K, M, r, 1)).astype(np.float32)
    separable = F.conv2d(F.conv2d(x, h, padding="same"), v, padding="same")
    w = np.einsum("kmi,mcj->kcij", v[:, :, :, 0], h[:, :, 0, :])
    np.testing.assert_allclose(np.asarray(separable), np.asarray(F.conv2d(x, w, padding="same")),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("r", [3, 5, 7])
def test_spatially_separable_counts(r):
    C, H, W = 64, 28, 28  # 'same' padding: every stage keeps H x W
    separable = conv_multiplies((C, C, 1, r), (H, W)) + conv_multiplies((C, C, r, 1), (H, W))
    full = conv_multiplies((C, C, r, r), (H, W))
    assert Fraction(separable, full) == Fraction(2, r)
    assert Fraction(conv_params((C, C, 1, r), bias=False) + conv_params((C, C, r, 1), bias=False),
                    conv_params((C, C, r, r), bias=False)) == Fraction(2, r)


# ---------------------------------------------------------------- flattened

def test_flattened_on_conv3d_equals_rank1_kernel(isa, rng):
    """One filter over a C x H x W volume: the input channels are conv3d's depth."""
    C, Y, X = 4, 3, 5
    x = rng.standard_normal((2, 1, C, 9, 11)).astype(np.float32)
    a = rng.standard_normal(C).astype(np.float32)
    b = rng.standard_normal(Y).astype(np.float32)
    c = rng.standard_normal(X).astype(np.float32)
    y = F.conv3d(x, a.reshape(1, 1, C, 1, 1))
    y = F.conv3d(y, b.reshape(1, 1, 1, Y, 1))
    y = F.conv3d(y, c.reshape(1, 1, 1, 1, X))
    rank1 = np.einsum("c,y,x->cyx", a, b, c)
    full = F.conv3d(x, rank1.reshape(1, 1, C, Y, X))
    np.testing.assert_allclose(np.asarray(y), np.asarray(full), rtol=1e-4, atol=1e-4)
    # The same as a 2D convolution whose channels are the volume's depth.
    np.testing.assert_allclose(np.asarray(full)[:, 0], np.asarray(F.conv2d(x[:, 0], rank1[None])),
                               rtol=1e-4, atol=1e-4)


def test_flattened_on_conv2d_equals_rank1_kernels(rng):
    """K filters: pointwise C -> K, then per-channel (depthwise) Y x 1 and 1 x X."""
    C, K, Y, X = 6, 4, 3, 3
    x = rng.standard_normal((2, C, 10, 12)).astype(np.float32)
    a = rng.standard_normal((K, C, 1, 1)).astype(np.float32)
    b = rng.standard_normal((K, 1, Y, 1)).astype(np.float32)
    c = rng.standard_normal((K, 1, 1, X)).astype(np.float32)
    y = F.conv2d(F.conv2d(F.conv2d(x, a), b, groups=K, padding="same"), c, groups=K, padding="same")
    w = np.einsum("kc,ky,kx->kcyx", a[:, :, 0, 0], b[:, 0, :, 0], c[:, 0, 0, :])
    full = F.conv2d(x, w, padding="same")
    np.testing.assert_allclose(np.asarray(y), np.asarray(full), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(full), ref.conv_nd(x, w, pads=((1, 1), (1, 1))), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("C,Y,X", [(3, 3, 3), (64, 3, 3), (256, 5, 5)])
def test_flattened_counts(C, Y, X):
    K, H, W = 32, 14, 14  # 'same' padding: every stage keeps H x W
    flattened = (conv_multiplies((K, C, 1, 1), (H, W)) + conv_multiplies((K, 1, Y, 1), (H, W))
                 + conv_multiplies((K, 1, 1, X), (H, W)))
    full = conv_multiplies((K, C, Y, X), (H, W))
    assert Fraction(flattened, full) == Fraction(C + Y + X, C * Y * X)
    params = (conv_params((K, C, 1, 1), bias=False) + conv_params((K, 1, Y, 1), bias=False)
              + conv_params((K, 1, 1, X), bias=False))
    assert Fraction(params, conv_params((K, C, Y, X), bias=False)) == Fraction(C + Y + X, C * Y * X)
