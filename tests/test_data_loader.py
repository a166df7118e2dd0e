"""convcore.data.DataLoader and the data set building blocks: batching,
shuffling per seed and epoch, drop_last, resuming, background threads
(same batches, exceptions raised in the caller, clean early exit), the
get_batch fast path against the per-sample path, TensorDataset, Subset,
random_split and train_val_split."""
import threading

import numpy as np
import pytest

import convcore as cc
from convcore.data import (ArrayDataset, DataLoader, Dataset, Subset, TensorDataset,
                           default_collate, random_split, train_val_split)
from convcore.data import transforms as T


def _images(n=50, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 8, 8, 3), dtype=np.uint8), rng.integers(0, 10, n)


class PerSample(Dataset):
    """The same data without get_batch: the loader's per-sample path."""

    def __init__(self, ds):
        self.ds = ds

    def __len__(self):
        return len(self.ds)

    def __getitem__(self, i):
        return self.ds[i]


def _collect(loader):
    return [(np.asarray(x).copy(), y.copy()) for x, y in loader]


def test_batches_shapes_dtypes_len():
    data, labels = _images(50)
    ds = ArrayDataset(data, labels)
    for drop_last, sizes in ((False, [16, 16, 16, 2]), (True, [16, 16, 16])):
        loader = DataLoader(ds, batch_size=16, drop_last=drop_last)
        batches = list(loader)
        assert len(loader) == len(batches) == len(sizes)
        for (x, y), n in zip(batches, sizes):
            assert isinstance(x, cc.Tensor) and x.shape == (n, 3, 8, 8)
            assert isinstance(y, np.ndarray) and y.dtype == np.int64 and y.shape == (n,)
    # unshuffled: the data in order, ToTensor-scaled
    x, y = list(DataLoader(ds, batch_size=50))[0]
    np.testing.assert_allclose(np.asarray(x), data.transpose(0, 3, 1, 2) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)


def test_every_index_once_and_seeded_order():
    n = 103
    ds = TensorDataset(np.arange(n, dtype=np.float32)[:, None], np.arange(n))
    loader = DataLoader(ds, batch_size=10, shuffle=True, seed=7)
    epochs = [np.concatenate([y for _, y in loader]) for _ in range(3)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(n))
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    # the same seed gives the same sequence of epochs; another seed does not
    again = DataLoader(ds, batch_size=10, shuffle=True, seed=7)
    np.testing.assert_array_equal(np.concatenate([y for _, y in again]), epochs[0])
    other = DataLoader(ds, batch_size=10, shuffle=True, seed=8)
    assert not np.array_equal(np.concatenate([y for _, y in other]), epochs[0])
    # an epoch's order is the documented permutation
    np.testing.assert_array_equal(epochs[2], np.random.default_rng([7, 2]).permutation(n))
    with_drop = DataLoader(ds, batch_size=10, shuffle=True, seed=7, drop_last=True)
    got = np.concatenate([y for _, y in with_drop])
    assert len(got) == 100 and len(set(got.tolist())) == 100


def test_seed_none_follows_manual_seed():
    ds = TensorDataset(np.zeros((20, 1), np.float32), np.arange(20))
    previous = cc.initial_seed()
    try:
        cc.manual_seed(123)
        a = DataLoader(ds, batch_size=5, shuffle=True)
        cc.manual_seed(123)
        b = DataLoader(ds, batch_size=5, shuffle=True)
    finally:
        cc.manual_seed(previous)
    assert a.seed == b.seed == 123
    np.testing.assert_array_equal(np.concatenate([y for _, y in a]), np.concatenate([y for _, y in b]))


def test_set_epoch_and_resume_mid_epoch():
    ds = ArrayDataset(*_images(40))
    ds.transform = T.Compose([T.ToTensor(), T.RandomCrop(8, padding=2), T.RandomHorizontalFlip()])
    reference = DataLoader(ds, batch_size=6, shuffle=True, seed=3)
    full = [_collect(reference) for _ in range(3)]  # epochs 0, 1, 2
    # set_epoch jumps to an epoch
    loader = DataLoader(ds, batch_size=6, shuffle=True, seed=3)
    loader.set_epoch(2)
    for (x, y), (rx, ry) in zip(_collect(loader), full[2]):
        np.testing.assert_array_equal(x, rx)
        np.testing.assert_array_equal(y, ry)
    # stop in epoch 1 after 4 batches, save, resume in a fresh loader
    loader = DataLoader(ds, batch_size=6, shuffle=True, seed=3)
    list(loader)
    it = iter(loader)
    for _ in range(4):
        next(it)
    state = loader.state_dict()
    assert state == {"seed": 3, "epoch": 1, "batch": 4}
    resumed = DataLoader(ds, batch_size=6, shuffle=True, seed=99)
    resumed.load_state_dict(state)
    rest = _collect(resumed)
    assert len(rest) == len(full[1]) - 4
    for (x, y), (rx, ry) in zip(rest, full[1][4:]):
        np.testing.assert_array_equal(x, rx)  # augmentations included
        np.testing.assert_array_equal(y, ry)
    # then the next epoch, as the original run
    assert resumed.state_dict() == {"seed": 3, "epoch": 2, "batch": 0}
    np.testing.assert_array_equal(np.concatenate([y for _, y in resumed]),
                                  np.concatenate([y for _, y in full[2]]))
    with pytest.raises(KeyError, match="epoch"):
        resumed.load_state_dict({"seed": 1})


@pytest.mark.parametrize("num_workers", [1, 3])
def test_workers_give_the_same_batches(num_workers):
    ds = ArrayDataset(*_images(70))
    ds.transform = T.Compose([T.ToTensor(), T.RandomCrop(8, padding=3), T.RandomHorizontalFlip(),
                              T.Normalize([0.5, 0.4, 0.3], [0.2, 0.3, 0.4])])
    serial = _collect(DataLoader(ds, batch_size=8, shuffle=True, seed=5))
    threaded = _collect(DataLoader(ds, batch_size=8, shuffle=True, seed=5,
                                   num_workers=num_workers, prefetch=2))
    assert len(serial) == len(threaded) == 9
    for (x, y), (tx, ty) in zip(serial, threaded):
        np.testing.assert_array_equal(x, tx)
        np.testing.assert_array_equal(y, ty)


def test_fast_path_equals_per_sample_path():
    ds = ArrayDataset(*_images(30))
    ds.transform = T.Compose([T.ToTensor(), T.RandomCrop(6, padding=1), T.RandomHorizontalFlip(),
                              T.PixelPermutation(seed=2)])
    fast = _collect(DataLoader(ds, batch_size=7, shuffle=True, seed=1))
    slow = _collect(DataLoader(PerSample(ds), batch_size=7, shuffle=True, seed=1))
    for (x, y), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(x, sx)
        np.testing.assert_array_equal(y, sy)


class Failing(Dataset):
    def __init__(self, bad):
        self.bad = bad

    def __len__(self):
        return 40

    def __getitem__(self, i):
        if i == self.bad:
            raise KeyError(f"sample {i} is broken")
        return np.full((2,), i, np.float32), i


@pytest.mark.parametrize("num_workers", [0, 2])
def test_worker_exception_reaches_the_caller(num_workers):
    loader = DataLoader(Failing(bad=17), batch_size=4, num_workers=num_workers)
    seen = []
    with pytest.raises(KeyError, match="sample 17 is broken"):
        for _, y in loader:
            seen.extend(y.tolist())
    assert seen == list(range(16))
    _wait_for_worker_threads()


def _loader_threads():
    return [t for t in threading.enumerate() if t.name.startswith("convcore-loader")]


def _wait_for_worker_threads():
    for t in _loader_threads():
        t.join(timeout=10)
    assert _loader_threads() == []


def test_breaking_early_stops_the_workers():
    ds = ArrayDataset(*_images(400))
    loader = DataLoader(ds, batch_size=4, shuffle=True, seed=0, num_workers=2, prefetch=2)
    for k, _ in enumerate(loader):
        if k == 2:
            break
    _wait_for_worker_threads()
    # and the loader still works afterwards, from the next epoch
    assert len(list(loader)) == 100
    _wait_for_worker_threads()


def test_collate_and_tensor_dataset():
    xs = np.random.default_rng(0).standard_normal((9, 4)).astype(np.float64)
    ys = np.arange(9, dtype=np.int32)
    x, y = default_collate([(xs[i], int(ys[i])) for i in range(3)])
    assert isinstance(x, cc.Tensor) and x.shape == (3, 4) and y.dtype == np.int64
    np.testing.assert_allclose(np.asarray(x), xs[:3].astype(np.float32))
    ds = TensorDataset(xs, ys)
    (bx, by), = list(DataLoader(ds, batch_size=9))
    np.testing.assert_allclose(np.asarray(bx), xs.astype(np.float32))
    np.testing.assert_array_equal(by, ys)
    custom = DataLoader(ds, batch_size=4, collate_fn=lambda s: len(s))
    assert list(custom) == [4, 4, 1]
    with pytest.raises(ValueError, match="rows like arrays"):
        TensorDataset(xs, ys[:5])
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_loader_argument_errors():
    ds = TensorDataset(np.zeros((4, 1), np.float32), np.arange(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        DataLoader(ds, batch_size=2.0)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(TypeError, match="dataset"):
        DataLoader(42)


def test_subset_and_its_fast_path():
    data, labels = _images(30)
    ds = ArrayDataset(data, labels)
    sub = Subset(ds, [5, 2, 29, 0])
    assert len(sub) == 4 and sub[2][1] == labels[29]
    x, y = sub.get_batch(np.array([0, 3]))
    np.testing.assert_array_equal(y, labels[[5, 0]])
    np.testing.assert_allclose(x, data[[5, 0]].transpose(0, 3, 1, 2) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(sub.targets, labels[[5, 2, 29, 0]])
    assert not hasattr(Subset(PerSample(ds), [1]), "get_batch")
    with pytest.raises(IndexError):
        Subset(ds, [30])
    with pytest.raises(IndexError):
        sub[4]


def test_random_split():
    ds = TensorDataset(np.zeros((10, 1), np.float32), np.arange(10))
    parts = random_split(ds, [3, 7], seed=4)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(np.concatenate([p.indices for p in parts]).tolist()) == list(range(10))
    again = random_split(ds, [3, 7], seed=4)
    np.testing.assert_array_equal(parts[0].indices, again[0].indices)
    assert not np.array_equal(random_split(ds, [3, 7], seed=5)[1].indices, parts[1].indices)


@pytest.mark.parametrize("fractions", [[0.25, 0.25, 0.5], [0.3, 0.7], [0.1] * 10, [0.33, 0.33, 0.34]])
@pytest.mark.parametrize("n", [10, 17, 1001])
def test_random_split_fractions_as_torch(torch, fractions, n):
    ds = TensorDataset(np.zeros((n, 1), np.float32), np.arange(n))
    expected = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
    parts = random_split(ds, fractions, seed=0)
    assert [len(p) for p in parts] == expected
    assert sorted(np.concatenate([p.indices for p in parts]).tolist()) == list(range(n))


def test_random_split_errors():
    ds = TensorDataset(np.zeros((10, 1), np.float32), np.arange(10))
    with pytest.raises(ValueError, match="lengths"):
        random_split(ds, [3, 8])
    with pytest.raises(ValueError, match="lengths"):
        random_split(ds, [0.5, 0.6])
    with pytest.raises(ValueError, match="lengths"):
        random_split(ds, [])


def test_train_val_split_cifar_sizes():
    n = 50000
    ds = TensorDataset(np.zeros((n, 1), np.float32), np.arange(n))
    train, val = train_val_split(ds, 5000, seed=0)
    assert len(train) == 45000 and len(val) == 5000
    assert np.intersect1d(train.indices, val.indices).size == 0
    assert np.union1d(train.indices, val.indices).size == n
    train2, val2 = train_val_split(ds, 0.1, seed=0)
    np.testing.assert_array_equal(val.indices, val2.indices)
    _, val3 = train_val_split(ds, 5000, seed=1)
    assert not np.array_equal(val.indices, val3.indices)
    _, last = train_val_split(ds, 5000, shuffle=False)
    np.testing.assert_array_equal(last.indices, np.arange(45000, 50000))
    with pytest.raises(ValueError, match="val_size"):
        train_val_split(ds, 50001)


def test_with_transform_shares_memory():
    data, labels = _images(10)
    ds = ArrayDataset(data, labels, transform=T.Compose([T.ToTensor(), T.RandomHorizontalFlip(p=1.0)]))
    plain = ds.with_transform(None)
    assert plain.data is ds.data
    np.testing.assert_allclose(ds[0][0], plain[0][0][:, :, ::-1])


def test_array_dataset_errors():
    with pytest.raises(ValueError, match="targets"):
        ArrayDataset(np.zeros((4, 2, 2), np.uint8), np.arange(3))
    with pytest.raises(TypeError, match="integer class labels"):
        ArrayDataset(np.zeros((4, 2, 2), np.uint8), np.zeros(4))
    ds = ArrayDataset(np.zeros((4, 2, 2), np.uint8), np.arange(4))
    with pytest.raises(IndexError):
        ds[4]
    with pytest.raises(TypeError):
        ds[1.5]
    with pytest.raises(IndexError):
        ds.get_batch(np.array([0, 9]))
