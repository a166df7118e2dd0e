"""conv2d with a sparse connection table, on LeNet-5's C3 table (SPEC
section 6): forward equals conv2d with the unconnected kernels zeroed, their
gradient is exactly zero (so they stay zero through training), the other
gradients match torch on the masked weight, and bad tables are rejected."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F
import conv_reference as ref

# C3 map k reads S2 maps C3_INPUTS[k] (SPEC section 6).
C3_INPUTS = [(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
             (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
             (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5)]


def c3_table():
    table = np.zeros((16, 6), dtype=bool)
    for k, inputs in enumerate(C3_INPUTS):
        table[k, list(inputs)] = True
    return table


def test_c3_table_parameter_count():
    table = c3_table()
    assert table.sum() == 60
    # Section 4/6 counting: 25 weights per connection, one bias per map.
    assert table.sum() * 5 * 5 + 16 == 1516
    assert (6 * 5 * 5 + 1) * 16 == 2416  # the full C3, for comparison


def test_forward_equals_conv2d_with_masked_weights(isa, rng):
    table = c3_table()
    x = rng.standard_normal((3, 6, 14, 14)).astype(np.float32)
    w = rng.standard_normal((16, 6, 5, 5)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    y = F.conv2d_connection_table(x, w, table, b)
    masked = w * table[:, :, None, None]
    np.testing.assert_array_equal(np.asarray(y), np.asarray(F.conv2d(x, masked, b)))
    np.testing.assert_allclose(np.asarray(y), ref.conv2d(x, masked, b), rtol=1e-4, atol=1e-4)
    assert y.shape == (3, 16, 10, 10)


def test_unconnected_gradient_is_exactly_zero(torch, rng):
    table = c3_table()
    x = rng.standard_normal((2, 6, 14, 14)).astype(np.float32)
    w = rng.standard_normal((16, 6, 5, 5)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    xt, wt, bt = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d_connection_table(xt, wt, table, bt, padding=1, stride=2)
    assert "ConnectionTableConv2dBackward" in str(y.grad_fn)
    g = rng.standard_normal(y.shape).astype(np.float32)
    (y * cc.tensor(g)).sum().backward()
    dw = np.asarray(wt.grad)
    assert np.all(dw[~table] == 0.0)
    assert np.all(np.signbit(dw[~table]) == False)  # noqa: E712 - exactly +0, not -0
    assert np.count_nonzero(dw[table]) == dw[table].size  # connected kernels do learn
    # Against torch on the masked weight: the graph there is w * mask.
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor(table[:, :, None, None], dtype=torch.float64)
    r = torch.nn.functional.conv2d(tx, tw * mask, tb, padding=1, stride=2)
    (r * torch.tensor(g, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(np.asarray(y), r.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(xt.grad), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(bt.grad), tb.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_unconnected_weights_stay_zero_through_training(rng):
    table = c3_table()
    w0 = rng.standard_normal((16, 6, 5, 5)).astype(np.float32) * 0.1
    w0[~table] = 0.0
    w = w0.copy()
    x = rng.standard_normal((4, 6, 14, 14)).astype(np.float32)
    target = rng.standard_normal((4, 16, 10, 10)).astype(np.float32)
    for _ in range(3):  # plain SGD steps on a squared error
        wt = cc.tensor(w, requires_grad=True)
        err = F.conv2d_connection_table(x, wt, table) - cc.tensor(target)
        (err * err).mean().backward()
        w = w - 0.5 * np.asarray(wt.grad)
    assert np.all(w[~table] == 0.0)
    assert not np.allclose(w[table], w0[table])


def test_groups_and_integer_table(rng):
    x = rng.standard_normal((1, 4, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    table = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=np.int64)
    y = F.conv2d_connection_table(x, w, table, groups=2, padding="same")
    expected = F.conv2d(x, w * table[:, :, None, None].astype(np.float32), groups=2, padding="same")
    np.testing.assert_array_equal(np.asarray(y), np.asarray(expected))


@pytest.mark.parametrize("table,exc,match", [
    (np.ones((16, 5), bool), ValueError, "connection_table must have shape"),
    (np.ones(96, bool), ValueError, "2-D"),
    (np.full((16, 6), 2), ValueError, "only 0 and 1"),
    (np.ones((16, 6), np.float32), TypeError, "boolean"),
])
def test_bad_tables(table, exc, match):
    x = np.zeros((1, 6, 8, 8), np.float32)
    w = np.zeros((16, 6, 5, 5), np.float32)
    with pytest.raises(exc, match=match):
        F.conv2d_connection_table(x, w, table)
