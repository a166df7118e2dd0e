"""convcore.Tensor basics: construction, NumPy interop without copies, the
autograd attributes, repr, and no_grad."""
import numpy as np
import pytest

import convcore as cc


def test_tensor_copies_its_data():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = cc.tensor(a)
    a[0, 0] = 100.0
    assert np.asarray(t)[0, 0] == 0.0
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.numel() == 6 and len(t) == 2


def test_tensor_converts_lists_and_other_dtypes():
    t = cc.tensor([[1, 2], [3, 4]])
    assert t.dtype == np.float32 and t.shape == (2, 2)
    np.testing.assert_array_equal(t.numpy(), [[1, 2], [3, 4]])
    t64 = cc.tensor(np.linspace(0, 1, 5))  # float64 is converted (a copy)
    np.testing.assert_allclose(t64.numpy(), np.linspace(0, 1, 5), rtol=1e-7)
    assert cc.tensor(3.5).shape == () and cc.tensor(3.5).item() == 3.5


def test_from_numpy_shares_memory():
    a = np.zeros((2, 3), dtype=np.float32)
    t = cc.from_numpy(a)
    a[1, 2] = 7.0
    assert t.numpy()[1, 2] == 7.0
    t.numpy()[0, 0] = -1.0
    assert a[0, 0] == -1.0


def test_from_numpy_refuses_float64():
    with pytest.raises(TypeError, match="float32"):
        cc.from_numpy(np.zeros((2, 2)))


def test_from_numpy_refuses_non_contiguous():
    a = np.zeros((4, 4), dtype=np.float32)[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        cc.from_numpy(a)


def test_numpy_views_share_memory():
    t = cc.ones([3, 2])
    a = np.asarray(t)
    b = t.numpy()
    assert np.shares_memory(a, b)
    a[0, 0] = 5.0
    assert t.numpy()[0, 0] == 5.0 and b[0, 0] == 5.0
    assert a.dtype == np.float32 and a.flags["C_CONTIGUOUS"]


def test_numpy_view_keeps_tensor_alive():
    a = cc.tensor(np.arange(4, dtype=np.float32)).numpy()
    # The tensor is gone from Python; the array still reads its memory.
    np.testing.assert_array_equal(a, [0, 1, 2, 3])


def test_zeros_ones_and_tolist():
    assert cc.zeros([2, 2]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert cc.ones([3]).tolist() == [1.0, 1.0, 1.0]
    assert cc.ones([2], requires_grad=True).requires_grad


def test_requires_grad_and_grad():
    t = cc.tensor([1.0, 2.0])
    assert not t.requires_grad and t.grad is None and t.is_leaf and t.grad_fn is None
    t.requires_grad = True
    assert t.requires_grad
    y = t * 3.0
    assert y.requires_grad and not y.is_leaf and y.grad_fn == "MulBackward"
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [3.0, 3.0])
    t.grad = None
    assert t.grad is None


def test_requires_grad_off_on_non_leaf_is_an_error():
    y = cc.tensor([1.0], requires_grad=True) * 2.0
    with pytest.raises(ValueError, match="leaf"):
        y.requires_grad = False


def test_detach_shares_memory_and_leaves_the_graph():
    t = cc.tensor([1.0, 2.0], requires_grad=True)
    y = t * 2.0
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(np.asarray(d), np.asarray(y))


def test_repr():
    t = cc.tensor([1.0, 2.0], requires_grad=True)
    assert repr(t) == "Tensor(shape=[2], data=[1, 2], requires_grad=True)"
    assert "grad_fn=AddBackward" in repr(t + 1)
    assert "(100 values)" in repr(cc.zeros([10, 10]))


def test_no_grad_records_nothing():
    t = cc.tensor([1.0, 2.0], requires_grad=True)
    with cc.no_grad():
        assert not cc.is_grad_enabled()
        y = (t * 2.0 + 1.0).exp().sum()
        z = t @ t
        v = t.reshape(2, 1)
    assert cc.is_grad_enabled()
    for r in (y, z, v):
        assert not r.requires_grad and r.grad_fn is None
    with pytest.raises(ValueError, match="does not require grad"):
        y.backward()


def test_backward_needs_grad_for_non_scalar():
    y = cc.tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(ValueError, match="one-element"):
        y.backward()
    y.backward(cc.tensor([1.0, 1.0]))


def test_item_and_len_errors():
    with pytest.raises(ValueError, match="exactly one element"):
        cc.zeros([2]).item()
    with pytest.raises(TypeError, match="0-d"):
        len(cc.tensor(1.0))


def test_constructor_aliases_a_tensor_and_copies_anything_else():
    base = cc.tensor([1.0, 2.0])
    alias = cc.Tensor(base, requires_grad=True)
    np.asarray(alias)[0] = 5.0  # shares base's memory, outside its graph
    assert np.asarray(base).tolist() == [5.0, 2.0]
    assert alias.requires_grad and alias.is_leaf and not base.requires_grad

    source = np.arange(3, dtype=np.int64)
    copy = cc.Tensor(source)
    np.asarray(copy)[0] = 7.0
    assert source.tolist() == [0, 1, 2] and np.asarray(copy).tolist() == [7.0, 1.0, 2.0]
    with pytest.raises(TypeError):
        cc.Tensor("not numbers")


def test_tensors_pickle_as_leaves_with_their_values():
    import pickle

    t = cc.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    u = pickle.loads(pickle.dumps(t))
    assert u.shape == (2, 2) and u.requires_grad and u.is_leaf
    np.testing.assert_array_equal(np.asarray(u), np.asarray(t))
    # an unpickled float32 array has its own dtype object: still float32
    a = pickle.loads(pickle.dumps(np.ones(3, np.float32)))
    assert np.asarray(cc.from_numpy(a)).tolist() == [1.0, 1.0, 1.0]

