"""convcore.data.transforms against NumPy computations: ToTensor, Normalize,
CenterMean (fitted on the training part only), RandomCrop with padding,
RandomHorizontalFlip, PixelPermutation, Flatten; one sample against a
batch; Compose's in-place chain against the transforms applied one by one."""
import pickle

import numpy as np
import pytest

from convcore.data import ArrayDataset, train_val_split
from convcore.data import transforms as T


@pytest.fixture
def batch(rng):
    # distinct values everywhere, so a crop window or a permutation is identifiable
    return rng.permutation(4 * 3 * 10 * 12).reshape(4, 3, 10, 12).astype(np.float32)


def test_to_tensor_layouts(rng):
    hw = rng.integers(0, 256, (5, 7), dtype=np.uint8)
    hwc = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    bhwc = rng.integers(0, 256, (2, 5, 7, 3), dtype=np.uint8)
    t = T.ToTensor()
    for x, ref in ((hw, hw[None]), (hwc, hwc.transpose(2, 0, 1)), (bhwc, bhwc.transpose(0, 3, 1, 2))):
        out = t(x)
        assert out.dtype == np.float32 and out.flags.c_contiguous
        np.testing.assert_allclose(out, ref / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(T.ToTensor(scale=1.0)(hwc), hwc.transpose(2, 0, 1).astype(np.float32))
    floats = rng.standard_normal((5, 7, 3))
    np.testing.assert_allclose(t(floats), floats.transpose(2, 0, 1), rtol=1e-6)  # floats unscaled
    np.testing.assert_array_equal(t(bhwc)[1], t(bhwc[1]))  # batch == one by one
    with pytest.raises(ValueError, match=r"\[H, W\]"):
        t(np.zeros(5, np.uint8))
    with pytest.raises(TypeError, match="dtype"):
        t(np.array([["a"]]))


def test_to_tensor_pil_image(rng):
    from PIL import Image
    hwc = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    np.testing.assert_allclose(T.ToTensor()(Image.fromarray(hwc)), hwc.transpose(2, 0, 1) / 255.0,
                               rtol=1e-6)


def test_normalize(batch):
    mean, std = [1.0, 2.0, 3.0], [0.5, 2.0, 4.0]
    ref = (batch - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    n = T.Normalize(mean, std)
    np.testing.assert_allclose(n(batch), ref, rtol=1e-5)
    np.testing.assert_allclose(n(batch[2]), ref[2], rtol=1e-5)
    np.testing.assert_allclose(T.Normalize(0.5, 2.0)(batch), (batch - 0.5) / 2.0, rtol=1e-6)
    x = batch.copy()
    out = T.Normalize(mean, std, inplace=True)(x)
    assert out is x
    np.testing.assert_allclose(x, ref, rtol=1e-5)
    with pytest.raises(ValueError, match="3 channels"):
        T.Normalize([1.0, 2.0], [1.0, 1.0])(batch)
    with pytest.raises(ValueError, match="std"):
        T.Normalize([0.0], [0.0])
    with pytest.raises(ValueError, match=r"\[C, H, W\]"):
        n(batch[0, 0])


def test_to_tensor_and_normalize_match_torch_bitwise(torch, rng):
    # torchvision computes img.float().div(255), then (x - mean) / std in float32
    hwc = rng.integers(0, 256, (2, 9, 7, 3), dtype=np.uint8)
    ref = torch.from_numpy(hwc).permute(0, 3, 1, 2).float().div(255)
    x = T.ToTensor()(hwc)
    np.testing.assert_array_equal(x, ref.numpy())
    mean, std = [0.4914, 0.4822, 0.4465], [0.247, 0.243, 0.261]
    ref = (ref - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    np.testing.assert_array_equal(T.Normalize(mean, std)(x), ref.numpy())


def test_center_mean_uses_training_samples_only(rng):
    data = rng.integers(0, 256, (60, 6, 5, 3), dtype=np.uint8)
    ds = ArrayDataset(data, rng.integers(0, 10, 60))
    train, val = train_val_split(ds, 20, seed=0)
    cm = T.CenterMean.fit(train, batch_size=7)
    expected = (data[train.indices].astype(np.float64) / 255.0).mean(axis=0).transpose(2, 0, 1)
    np.testing.assert_allclose(cm.mean, expected, rtol=1e-5)
    assert not np.allclose(cm.mean, (data.astype(np.float64) / 255.0).mean(axis=0).transpose(2, 0, 1),
                           rtol=1e-5)
    x, _ = val.get_batch(np.arange(len(val)))
    np.testing.assert_allclose(cm(x), x - expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cm(x[3]), x[3] - expected, rtol=1e-5, atol=1e-6)
    # raw pixel values (ToTensor(scale=1)) as the decks' linear classifier
    raw = ArrayDataset(data, np.zeros(60, int), transform=T.ToTensor(scale=1.0))
    np.testing.assert_allclose(T.CenterMean.fit(raw).mean,
                               data.mean(axis=0, dtype=np.float64).transpose(2, 0, 1), rtol=1e-5)
    with pytest.raises(ValueError, match="expected a sample of shape"):
        cm(np.zeros((3, 4, 4), np.float32))


def test_center_mean_per_channel_and_arrays(batch):
    cm = T.CenterMean.fit(batch, per_channel=True)
    per_channel = batch.mean(axis=(0, 2, 3), dtype=np.float64)
    np.testing.assert_allclose(cm.mean, per_channel, rtol=1e-6)
    np.testing.assert_allclose(cm(batch), batch - per_channel[:, None, None], rtol=1e-5, atol=1e-3)
    flat = batch.reshape(4, -1)
    np.testing.assert_allclose(T.CenterMean.fit(flat)(flat), flat - flat.mean(axis=0), atol=1e-3)
    with pytest.raises(ValueError, match="no samples"):
        T.CenterMean.fit(np.zeros((0, 3), np.float32))
    with pytest.raises(TypeError, match="source"):
        T.CenterMean.fit(object())


def _window_offsets(out, padded, h, w):
    """Every (top, left) at which out equals a window of padded."""
    return [(t, l) for t in range(padded.shape[-2] - h + 1) for l in range(padded.shape[-1] - w + 1)
            if np.array_equal(padded[..., t:t + h, l:l + w], out)]


def test_random_crop_is_a_window_of_the_padded_image(batch):
    crop = T.RandomCrop(10, padding=2, seed=0)
    seen = set()
    for _ in range(10):
        out = crop(batch)
        assert out.shape == (4, 3, 10, 10) and out.dtype == np.float32
        padded = np.pad(batch, ((0, 0), (0, 0), (2, 2), (2, 2)))
        for i in range(4):
            offsets = _window_offsets(out[i], padded[i], 10, 10)
            assert len(offsets) == 1
            seen.add(offsets[0])
    assert len(seen) > 10  # windows vary from sample to sample


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_padding_modes_and_forms(batch, mode):
    # padding (left, top, right, bottom) as torchvision
    crop = T.RandomCrop((11, 9), padding=(1, 2, 3, 0), padding_mode=mode, fill=7, seed=1)
    out = crop(batch)
    kw = {"constant_values": 7} if mode == "constant" else {}
    padded = np.pad(batch, ((0, 0), (0, 0), (2, 0), (1, 3)), mode=mode, **kw)
    for i in range(4):
        assert _window_offsets(out[i], padded[i], 11, 9)


def test_random_crop_batch_equals_samples_and_seed(batch):
    a, b = T.RandomCrop(8, padding=3, seed=5), T.RandomCrop(8, padding=3, seed=5)
    together = a(batch)
    one_by_one = np.stack([b(x) for x in batch])
    np.testing.assert_array_equal(together, one_by_one)
    assert not np.array_equal(T.RandomCrop(8, padding=3, seed=6)(batch), together)


def test_random_crop_pad_if_needed_and_errors(batch):
    out = T.RandomCrop(12, pad_if_needed=True, seed=0)(batch)
    assert out.shape == (4, 3, 12, 12)
    with pytest.raises(ValueError, match="larger than"):
        T.RandomCrop(12)(batch)
    with pytest.raises(ValueError, match="padding"):
        T.RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(4, padding_mode="wrap")
    with pytest.raises(ValueError, match="size"):
        T.RandomCrop(0)
    with pytest.raises(TypeError, match="seed"):
        T.RandomCrop(4, seed=1.5)
    restored = pickle.loads(pickle.dumps(T.RandomCrop(8, padding=3, seed=5)))
    np.testing.assert_array_equal(restored(batch), T.RandomCrop(8, padding=3, seed=5)(batch))


def test_horizontal_flip(rng):
    x = rng.standard_normal((200, 2, 3, 4)).astype(np.float32)
    out = T.RandomHorizontalFlip(p=0.3, seed=0)(x)
    flipped = np.array([np.array_equal(o, s[..., ::-1]) for o, s in zip(out, x)])
    kept = np.array([np.array_equal(o, s) for o, s in zip(out, x)])
    assert np.all(flipped ^ kept)
    assert 30 <= flipped.sum() <= 90  # about 0.3 * 200
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(x), x)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x), x[..., ::-1])
    a, b = T.RandomHorizontalFlip(seed=3), T.RandomHorizontalFlip(seed=3)
    np.testing.assert_array_equal(a(x[:20]), np.stack([b(s) for s in x[:20]]))
    with pytest.raises(ValueError, match="probability"):
        T.RandomHorizontalFlip(p=1.5)


def test_unseeded_random_transforms_are_independent(rng):
    x = rng.standard_normal((64, 1, 2, 2)).astype(np.float32)
    a, b = T.RandomHorizontalFlip(), T.RandomHorizontalFlip()
    assert not np.array_equal(a(x), b(x))


def test_batch_random_stream_decides_the_draws(batch):
    crop = T.RandomCrop(8, padding=3, seed=5)
    crop(batch)  # advance its own generator: inside a stream it does not matter
    with T.batch_random_stream(1, 2, 3):
        first = crop(batch)
    with T.batch_random_stream(1, 2, 3):
        np.testing.assert_array_equal(crop(batch), first)
    with T.batch_random_stream(1, 2, 4):
        assert not np.array_equal(crop(batch), first)


def test_pixel_permutation(batch):
    perm_t = T.PixelPermutation(seed=11)
    out = perm_t(batch)
    perm = perm_t.permutation(10 * 12)
    assert sorted(perm.tolist()) == list(range(120))  # a bijection
    np.testing.assert_array_equal(np.asarray(perm), np.random.default_rng(11).permutation(120))
    # the same shuffle for every image and channel
    for b in range(4):
        for c in range(3):
            np.testing.assert_array_equal(out[b, c].ravel(), batch[b, c].ravel()[perm])
    np.testing.assert_array_equal(T.PixelPermutation(seed=11)(batch[1]), out[1])
    assert not np.array_equal(T.PixelPermutation(seed=12)(batch), out)
    inverse = np.argsort(perm)
    np.testing.assert_array_equal(T.PixelPermutation(permutation=inverse)(out), batch)
    with pytest.raises(ValueError, match="permutation"):
        T.PixelPermutation(permutation=[0, 0, 1])
    with pytest.raises(ValueError, match="120 pixels"):
        T.PixelPermutation(permutation=np.arange(4))(batch)


def test_flatten(batch):
    np.testing.assert_array_equal(T.Flatten()(batch), batch.reshape(4, -1))
    np.testing.assert_array_equal(T.Flatten()(batch[0]), batch[0].ravel())


def _pipeline(seed):
    return [T.ToTensor(), T.RandomCrop(6, padding=2, seed=seed), T.RandomHorizontalFlip(seed=seed + 1),
            T.CenterMean(np.full((3, 6, 6), 0.25)), T.Normalize([0.1, 0.2, 0.3], [1.0, 2.0, 3.0]),
            T.PixelPermutation(seed=4), T.Flatten()]


def test_compose_equals_the_steps_and_leaves_input_alone(rng):
    raw = rng.integers(0, 256, (9, 6, 6, 3), dtype=np.uint8)
    before = raw.copy()
    composed = T.Compose(_pipeline(0))
    assert composed.batchable
    out = composed(raw)
    x = raw
    for t in _pipeline(0):
        x = t(x)
    np.testing.assert_allclose(out, x, rtol=1e-6)
    np.testing.assert_array_equal(raw, before)
    # one sample at a time gives the same results (fresh transforms, same seeds)
    single = T.Compose(_pipeline(0))
    np.testing.assert_allclose(np.stack([single(s) for s in raw]), out, rtol=1e-6)
    assert not T.Compose([T.ToTensor(), lambda a: a]).batchable
    with pytest.raises(TypeError, match="transforms"):
        T.Compose([T.ToTensor(), 3])
