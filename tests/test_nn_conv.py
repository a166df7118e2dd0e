"""convcore.nn convolution layers against torch.nn with the same weights:
outputs, input and parameter gradients, state-dict keys, default
initialisation, repr, and constructor errors."""
import math

import numpy as np
import pytest

import convcore as cc
import convcore.nn as nn
from nn_parity import check_against_torch

CONV_CASES = [
    # (dims, args, kwargs, input shape)
    (1, (3, 4, 3), {}, (2, 3, 11)),
    (1, (4, 6, 3), dict(stride=2, padding=1, dilation=2, groups=2), (2, 4, 13)),
    (1, (3, 4, 4), dict(padding="same", padding_mode="reflect", bias=False), (2, 3, 9)),
    (2, (3, 5, 3), {}, (2, 3, 8, 9)),
    (2, (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2), (2, 4, 9, 8)),
    (2, (3, 4, 3), dict(padding=1, padding_mode="circular"), (1, 3, 6, 7)),
    (2, (3, 4, 3), dict(padding=2, padding_mode="replicate", bias=False), (2, 3, 5, 6)),
    (2, (4, 4, 3), dict(padding="same", groups=4), (2, 4, 7, 7)),
    (2, (3, 2, 4), dict(padding="same"), (1, 3, 8, 6)),
    (2, (2, 3, 3), dict(padding="valid"), (2, 2, 6, 6)),
    (3, (2, 4, 3), dict(padding=1), (2, 2, 5, 6, 4)),
    (3, (4, 4, (2, 3, 3)), dict(stride=2, groups=2, padding_mode="reflect", padding=1), (1, 4, 6, 7, 7)),
]


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("dims, args, kwargs, shape", CONV_CASES)
def test_conv_matches_torch(torch, rng, dims, args, kwargs, shape):
    cc_cls = getattr(nn, f"Conv{dims}d")
    torch_cls = getattr(torch.nn, f"Conv{dims}d")
    check_against_torch(torch, cc_cls(*args, **kwargs), torch_cls(*args, **kwargs),
                        [rng.standard_normal(shape)])


TRANSPOSED_CASES = [
    (1, (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 7)),
    (1, (4, 6, 2), dict(groups=2, dilation=2, bias=False), (2, 4, 5)),
    (2, (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5, 6)),
    (2, (4, 2, (3, 2)), dict(stride=(1, 2), groups=2, dilation=(2, 1)), (2, 4, 4, 5)),
    (3, (2, 3, 3), dict(stride=2, padding=1), (1, 2, 3, 4, 3)),
]


@pytest.mark.parametrize("dims, args, kwargs, shape", TRANSPOSED_CASES)
def test_conv_transpose_matches_torch(torch, rng, dims, args, kwargs, shape):
    cc_cls = getattr(nn, f"ConvTranspose{dims}d")
    torch_cls = getattr(torch.nn, f"ConvTranspose{dims}d")
    check_against_torch(torch, cc_cls(*args, **kwargs), torch_cls(*args, **kwargs),
                        [rng.standard_normal(shape)])


def test_conv_transpose_output_size_matches_torch(torch, rng):
    size = [2, 4, 10, 10]  # from 5 x 5 at stride 2 the reachable sizes are 9 and 10
    check_against_torch(torch, nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1),
                        torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1),
                        [rng.standard_normal((2, 3, 5, 5))],
                        forward=lambda m, x: m(x, output_size=size),
                        torch_forward=lambda m, x: m(x, output_size=size))
    layer = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1)
    with pytest.raises(ValueError, match="output_size"):
        layer(cc.tensor(rng.standard_normal((1, 3, 5, 5)).astype(np.float32)), output_size=(12, 12))


def test_connection_table_conv_is_conv2d_with_masked_weights(torch, rng):
    table = nn.lenet5_c3_table()
    assert table.shape == (16, 6) and table.sum() == 60  # LeNet-5's C3: 60 connections
    assert table.sum(axis=1).tolist() == [3] * 6 + [4] * 9 + [6]
    layer = nn.ConnectionTableConv2d(6, 16, 5, table)
    weight = np.asarray(layer.weight)
    assert np.all(weight[~table] == 0) and np.all(weight[table] != 0)
    # Reference: torch conv2d with the unconnected kernels masked out.
    mask = torch.tensor(table[:, :, None, None], dtype=torch.float64)
    ref = torch.nn.Conv2d(6, 16, 5).double()
    x = rng.standard_normal((2, 6, 14, 14)).astype(np.float32)
    w = rng.standard_normal((16, 6, 5, 5)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    layer.load_state_dict({"weight": w, "bias": b})
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(w)), ref.bias.copy_(torch.tensor(b))
    xc = cc.tensor(x, requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = layer(xc)
    want = torch.nn.functional.conv2d(xt, ref.weight * mask, ref.bias)
    np.testing.assert_allclose(np.asarray(out), want.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(cc.tensor(g))
    want.backward(torch.tensor(g, dtype=torch.float64))
    np.testing.assert_allclose(np.asarray(xc.grad), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(layer.weight.grad), (ref.weight.grad * mask).numpy(),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(layer.bias.grad), ref.bias.grad.numpy(), rtol=1e-4, atol=1e-4)
    assert "connections=60" in repr(layer)


@pytest.mark.parametrize("make_cc, make_torch", [
    (lambda m: m.Conv2d(16, 32, 3), None),
    (lambda m: m.Conv1d(8, 12, 5, groups=4), None),
    (lambda m: m.Conv3d(4, 6, 3), None),
    (lambda m: m.ConvTranspose2d(16, 8, 4, stride=2), None),
])
def test_default_init_follows_torch(torch, make_cc, make_torch):
    """kaiming_uniform_(a=sqrt(5)) weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias likewise."""
    layer, ref = make_cc(nn), make_cc(torch.nn)
    fan_in = torch.nn.init._calculate_fan_in_and_fan_out(ref.weight)[0]
    bound = 1 / math.sqrt(fan_in)
    weight, bias = np.asarray(layer.weight), np.asarray(layer.bias)
    assert weight.shape == tuple(ref.weight.shape)
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert abs(weight.std() - ref.weight.detach().numpy().std()) < 0.1 * bound


def test_repr_matches_torch(torch):
    cases = [
        ("Conv2d", (1, 6, 5), {}),
        ("Conv2d", (3, 8, 3), dict(stride=2, padding=1, bias=False)),
        ("Conv1d", (2, 4, 3), dict(padding="same", padding_mode="reflect")),
        ("Conv3d", (2, 4, 3), dict(groups=2, dilation=2, bias=False)),
        ("ConvTranspose2d", (3, 4, 3), dict(stride=2, output_padding=1)),
    ]
    for name, args, kwargs in cases:
        assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("build, error, words", [
    (lambda: nn.Conv2d(-1, 4, 3), ValueError, "in_channels"),
    (lambda: nn.Conv2d(3, 0, 3), ValueError, "out_channels"),
    (lambda: nn.Conv2d(3.0, 4, 3), TypeError, "in_channels"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), ValueError, "groups"),
    (lambda: nn.Conv2d(6, 4, 3, groups=4), ValueError, "groups"),
    (lambda: nn.Conv2d(4, 4, 3, groups=0), ValueError, "groups"),
    (lambda: nn.Conv2d(3, 4, 0), ValueError, "kernel_size"),
    (lambda: nn.Conv2d(3, 4, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: nn.Conv2d(3, 4, 3, stride=0), ValueError, "stride"),
    (lambda: nn.Conv2d(3, 4, 3, padding=-1), ValueError, "padding"),
    (lambda: nn.Conv2d(3, 4, 3, padding="full"), ValueError, "padding"),
    (lambda: nn.Conv2d(3, 4, 3, padding="same", stride=2), ValueError, "padding"),
    (lambda: nn.Conv2d(3, 4, 3, padding_mode="mirror"), ValueError, "padding_mode"),
    (lambda: nn.Conv2d(3, 4, 3, bias="yes"), TypeError, "bias"),
    (lambda: nn.Conv2d(3, 4, 3, device="cuda"), ValueError, "device"),
    (lambda: nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"), ValueError, "padding_mode"),
    (lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=2), ValueError, "output_padding"),
    (lambda: nn.ConnectionTableConv2d(6, 16, 5, np.ones((6, 16), bool)), ValueError, "connection_table"),
    (lambda: nn.ConnectionTableConv2d(2, 2, 3, np.full((2, 2), 0.5)), TypeError, "connection_table"),
])
def test_constructor_errors_name_the_argument(build, error, words):
    with pytest.raises(error, match=words):
        build()
