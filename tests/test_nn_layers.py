"""convcore.nn pooling, activation, linear, flatten and dropout layers against
torch.nn (or a torch expression where torch has no such layer): outputs,
gradients, repr, train/eval behaviour and constructor errors."""
import numpy as np
import pytest

import convcore as cc
import convcore.nn as nn
from nn_parity import check_against_torch

# (layer name, args, kwargs, input shape); torch has a layer of the same name.
SAME_NAME_CASES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1), (2, 3, 11)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True), (2, 2, 9, 9)),
    ("MaxPool3d", (2,), dict(ceil_mode=True), (1, 2, 5, 5, 5)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 10)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 8, 9)),
    ("AvgPool2d", (2,), dict(divisor_override=3), (1, 2, 6, 6)),
    ("AvgPool3d", (2,), dict(stride=1, padding=1, count_include_pad=False), (1, 2, 4, 4, 3)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 11)),
    ("LPPool2d", (3, 2), {}, (2, 3, 6, 8)),
    ("LPPool3d", (2, 2), {}, (1, 2, 4, 4, 6)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 7, 5)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 5, 4, 3)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool2d", ((2, 3),), {}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 5, 4, 3)),
    ("ReLU", (), {}, (3, 4, 5)),
    ("LeakyReLU", (0.2,), {}, (3, 4)),
    ("Sigmoid", (), {}, (2, 3, 4)),
    ("Tanh", (), {}, (2, 3, 4)),
    ("Softmax", (1,), {}, (3, 5)),
    ("Softmax", (-1,), {}, (2, 3, 4)),
    ("LogSoftmax", (1,), {}, (2, 4, 3)),
    ("Linear", (5, 3), {}, (4, 5)),
    ("Linear", (5, 3), dict(bias=False), (2, 4, 5)),
    ("Flatten", (), {}, (2, 3, 4, 5)),
    ("Flatten", (0, 2), {}, (2, 3, 4, 5)),
    ("Unflatten", (1, (3, 4)), {}, (2, 12)),
    ("Identity", (), {}, (2, 3)),
    ("LocalResponseNorm", (5,), dict(alpha=1e-2, beta=0.75, k=2.0), (2, 7, 4, 4)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", SAME_NAME_CASES)
def test_layer_matches_torch(torch, rng, name, args, kwargs, shape):
    layer, ref = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    check_against_torch(torch, layer, ref, [rng.standard_normal(shape)])
    assert repr(layer) == repr(ref)


def test_max_pool_indices_and_unpool_match_torch(torch, rng):
    for dims, shape in [(1, (2, 3, 10)), (2, (2, 3, 8, 6)), (3, (1, 2, 4, 6, 4))]:
        x = rng.standard_normal(shape).astype(np.float32)
        pool = getattr(nn, f"MaxPool{dims}d")(2, return_indices=True)
        unpool = getattr(nn, f"MaxUnpool{dims}d")(2)
        tpool = getattr(torch.nn, f"MaxPool{dims}d")(2, return_indices=True)
        tunpool = getattr(torch.nn, f"MaxUnpool{dims}d")(2)
        out, idx = pool(cc.tensor(x))
        tout, tidx = tpool(torch.tensor(x))
        np.testing.assert_array_equal(idx, tidx.numpy())
        np.testing.assert_array_equal(np.asarray(out), tout.numpy())
        back = unpool(out, idx)
        np.testing.assert_array_equal(np.asarray(back), tunpool(tout, tidx).numpy())
        assert repr(unpool) == repr(tunpool)


def test_scaled_tanh_global_pools_and_maxout_match_torch_expressions(torch, rng):
    cases = [
        (nn.ScaledTanh(), lambda x: 1.7159 * torch.tanh(2 * x / 3), (3, 4)),
        (nn.GlobalAvgPool2d(), lambda x: x.mean(dim=(2, 3), keepdim=True), (2, 3, 5, 4)),
        (nn.GlobalMaxPool2d(), lambda x: x.amax(dim=(2, 3), keepdim=True), (2, 3, 5, 4)),
        (nn.Maxout(3), lambda x: x.view(2, 2, 3, 4, 5).amax(2), (2, 6, 4, 5)),
        (nn.SpatialPyramidPool2d((1, 2, 3)), lambda x: torch.cat(
            [torch.nn.functional.adaptive_max_pool2d(x, n).flatten(1) for n in (1, 2, 3)], 1),
         (2, 3, 7, 6)),
        (nn.SpatialPyramidPool2d((1, 2), mode="avg"), lambda x: torch.cat(
            [torch.nn.functional.adaptive_avg_pool2d(x, n).flatten(1) for n in (1, 2)], 1),
         (2, 3, 5, 6)),
    ]
    for layer, expression, shape in cases:
        ref = _Lambda(torch, expression)
        check_against_torch(torch, layer, ref, [rng.standard_normal(shape)])


def _Lambda(torch, fn):
    class Expression(torch.nn.Module):
        def forward(self, x):
            return fn(x)
    return Expression()


def test_mixed_pool_learns_alpha_like_torch(torch, rng):
    class TorchMixed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.alpha = torch.nn.Parameter(torch.tensor([0.5]))

        def forward(self, x):
            a = self.alpha
            return a * torch.nn.functional.max_pool2d(x, 3, 2, 1) + \
                (1 - a) * torch.nn.functional.avg_pool2d(x, 3, 2, 1)

    layer, ref = nn.MixedPool2d(3, stride=2, padding=1), TorchMixed()
    with torch.no_grad():
        ref.alpha.fill_(0.3)
    check_against_torch(torch, layer, ref, [rng.standard_normal((2, 3, 7, 8))])
    assert [n for n, _ in layer.named_parameters()] == ["alpha"]
    fixed = nn.MixedPool2d(2, alpha=0.25, learn_alpha=False)
    assert list(fixed.parameters()) == []
    x = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    want = 0.25 * torch.nn.functional.max_pool2d(torch.tensor(x), 2) + \
        0.75 * torch.nn.functional.avg_pool2d(torch.tensor(x), 2)
    np.testing.assert_allclose(np.asarray(fixed(cc.tensor(x))), want.numpy(), rtol=1e-6, atol=1e-6)


def test_activation_repr_matches_torch(torch):
    for name, args in [("ReLU", (True,)), ("LeakyReLU", (0.1, True)), ("Softmax", ()),
                       ("LogSoftmax", (0,)), ("Sigmoid", ()), ("AvgPool1d", (3,)),
                       ("LPPool2d", (2, 3)), ("AdaptiveMaxPool2d", ((2, None),))]:
        assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_relu_inplace_is_accepted_and_leaves_the_input_alone(rng):
    x = cc.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    before = x.numpy().copy()
    y = nn.ReLU(inplace=True)(x)
    np.testing.assert_array_equal(np.asarray(y), np.maximum(before, 0))
    np.testing.assert_array_equal(x.numpy(), before)


def test_dropout_train_and_eval(rng):
    x = cc.tensor(np.ones((200, 50), np.float32), requires_grad=True)
    drop = nn.Dropout(0.3)
    assert drop.training
    cc.manual_seed(3)
    y = drop(x)
    values = np.asarray(y)
    kept = values != 0
    assert 0.25 < 1 - kept.mean() < 0.35
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), values, rtol=1e-6)  # mask * scale
    cc.manual_seed(3)
    np.testing.assert_array_equal(np.asarray(drop(x)), values)  # same seed, same mask
    drop.eval()
    np.testing.assert_array_equal(np.asarray(drop(x)), np.asarray(x))
    assert repr(drop) == "Dropout(p=0.3, inplace=False)"


def test_dropout2d_drops_whole_channels(rng):
    x = cc.tensor(rng.uniform(1, 2, (8, 16, 3, 3)).astype(np.float32))
    y = np.asarray(nn.Dropout2d(0.5)(x))
    zero = (y == 0).all(axis=(2, 3))
    nonzero = (y != 0).all(axis=(2, 3))
    assert (zero | nonzero).all() and zero.any() and nonzero.any()
    assert np.array_equal(np.asarray(nn.Dropout2d(0.5).eval()(x)), np.asarray(x))


@pytest.mark.parametrize("build, error, words", [
    (lambda: nn.MaxPool2d(0), ValueError, "kernel_size"),
    (lambda: nn.MaxPool2d(2, stride=0), ValueError, "stride"),
    (lambda: nn.MaxPool2d(2, padding=-1), ValueError, "padding"),
    (lambda: nn.MaxPool3d((2, 2)), ValueError, "kernel_size"),
    (lambda: nn.MaxPool1d(2, ceil_mode="yes"), TypeError, "ceil_mode"),
    (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError, "divisor_override"),
    (lambda: nn.LPPool2d("two", 2), TypeError, "norm_type"),
    (lambda: nn.AdaptiveAvgPool2d(0), ValueError, "output_size"),
    (lambda: nn.AdaptiveMaxPool2d((1, 2, 3)), ValueError, "output_size"),
    (lambda: nn.SpatialPyramidPool2d((1, 0)), ValueError, "levels"),
    (lambda: nn.SpatialPyramidPool2d(mode="sum"), ValueError, "mode"),
    (lambda: nn.Maxout(0), ValueError, "groups"),
    (lambda: nn.Softmax(dim="rows"), TypeError, "dim"),
    (lambda: nn.LeakyReLU("a"), TypeError, "negative_slope"),
    (lambda: nn.Dropout(1.5), ValueError, "p"),
    (lambda: nn.Dropout(-0.1), ValueError, "p"),
    (lambda: nn.Linear(-1, 3), ValueError, "in_features"),
    (lambda: nn.Linear(3, 2.5), TypeError, "out_features"),
    (lambda: nn.LocalResponseNorm(0), ValueError, "size"),
    (lambda: nn.Unflatten(1, 12), TypeError, "unflattened_size"),
])
def test_constructor_errors_name_the_argument(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_forward_errors_come_from_the_op(rng):
    with pytest.raises(ValueError):
        nn.MaxPool2d(2)(cc.tensor(rng.standard_normal((2, 3)).astype(np.float32)))
    with pytest.raises(ValueError):
        nn.Linear(4, 3)(cc.tensor(rng.standard_normal((2, 5)).astype(np.float32)))
