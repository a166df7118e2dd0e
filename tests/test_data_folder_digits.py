"""convcore.data.ImageFolder on a temporary folder of PNGs and JPEGs written
here (checked against Pillow's own decoding), its errors, and Digits
(scikit-learn's 8x8 digits) with its fixed split."""
import io

import numpy as np
import pytest

from convcore.data import DataLoader, Digits, ImageFolder
from data_helpers import encode_image

pytest.importorskip("PIL")


@pytest.fixture
def folder(tmp_path, rng):
    """root/<class>/... with PNGs and JPEGs of different sizes, plus non-images."""
    from PIL import Image
    root = tmp_path / "images"
    expected = []
    layout = {"cat": ["b.png", "a.jpg", "sub/c.JPEG"], "dog": ["x.png"], "ant": ["m.png", "n.jpg"]}
    for c in sorted(layout):
        for name in sorted(layout[c]):
            path = root / c / name
            path.parent.mkdir(parents=True, exist_ok=True)
            h, w = rng.integers(4, 9, 2)
            data = encode_image(rng.integers(0, 256, (h, w, 3), dtype=np.uint8),
                                "PNG" if name.endswith(".png") else "JPEG")
            path.write_bytes(data)
            decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
            expected.append((str(path), sorted(layout).index(c), decoded))
    (root / "dog" / "notes.txt").write_text("not an image")
    (root / "README").write_text("a file, not a class")
    expected.sort(key=lambda e: (e[1], e[0]))
    return root, expected


def test_image_folder(folder):
    root, expected = folder
    ds = ImageFolder(root)
    assert ds.classes == ["ant", "cat", "dog"]
    assert ds.class_to_idx == {"ant": 0, "cat": 1, "dog": 2}
    assert [(p, t) for p, t, _ in expected] == ds.samples == ds.imgs
    np.testing.assert_array_equal(ds.targets, [t for _, t, _ in expected])
    for i, (_, t, decoded) in enumerate(expected):
        x, y = ds[i]
        assert y == t and x.dtype == np.float32
        np.testing.assert_allclose(x, decoded.transpose(2, 0, 1) / 255.0, rtol=1e-6)


def test_image_folder_grayscale_and_extensions(folder):
    from PIL import Image
    root, expected = folder
    gray = ImageFolder(root, mode="L", extensions=(".png",))
    assert all(p.endswith(".png") for p, _ in gray.samples) and len(gray) == 3
    path = gray.samples[0][0]
    x, _ = gray[0]
    ref = np.asarray(Image.open(path).convert("L"))
    assert x.shape == (1,) + ref.shape
    np.testing.assert_allclose(x[0], ref / 255.0, rtol=1e-6)


def test_image_folder_through_a_loader(folder):
    root, expected = folder
    ds = ImageFolder(root, transform=lambda a: a[:4, :4].transpose(2, 0, 1) / 255.0)
    batches = list(DataLoader(ds, batch_size=2, num_workers=2))
    xs = np.concatenate([np.asarray(x) for x, _ in batches])
    np.testing.assert_allclose(xs, np.stack([d[:4, :4].transpose(2, 0, 1) / 255.0
                                             for _, _, d in expected]), rtol=1e-6)


def test_image_folder_errors(tmp_path, folder):
    root, _ = folder
    with pytest.raises(FileNotFoundError, match="not a directory"):
        ImageFolder(tmp_path / "nowhere")
    (root / "empty_class").mkdir()
    with pytest.raises(FileNotFoundError, match="empty_class"):
        ImageFolder(root)
    assert "empty_class" in ImageFolder(root, allow_empty=True).classes
    (root / "empty_class").rmdir()
    with pytest.raises(ValueError, match="mode"):
        ImageFolder(root, mode="CMYK")
    bad = root / "cat" / "a.jpg"
    bad.write_bytes(bad.read_bytes()[:20])
    ds = ImageFolder(root)
    i = [p for p, _ in ds.samples].index(str(bad))
    with pytest.raises(ValueError, match=r"a\.jpg: cannot decode"):
        ds[i]
    no_classes = tmp_path / "flat"
    no_classes.mkdir()
    with pytest.raises(FileNotFoundError, match="no class sub-folders"):
        ImageFolder(no_classes)


def test_digits():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    bunch = load_digits()
    train, test = Digits(train=True, seed=0), Digits(train=False, seed=0)
    assert len(train) + len(test) == 1797
    assert len(test) == sum(int(round(0.2 * c)) for c in np.bincount(bunch.target))
    assert train.data.shape[1:] == (8, 8) and train.data.max() == 16
    # the parts partition the data set
    assert np.intersect1d(train.indices, test.indices).size == 0
    assert np.union1d(train.indices, test.indices).size == 1797
    np.testing.assert_array_equal(train.data, bunch.images[train.indices])
    np.testing.assert_array_equal(test.targets, bunch.target[test.indices])
    x, y = test[0]
    assert x.shape == (1, 8, 8) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    np.testing.assert_allclose(x[0], test.data[0] / 16.0, rtol=1e-6)
    # stratified: every class in both parts in proportion
    assert np.all(np.abs(np.bincount(test.targets) - 0.2 * np.bincount(bunch.target)) <= 0.5)
    np.testing.assert_array_equal(Digits(train=False, seed=0).targets, test.targets)
    assert not np.array_equal(Digits(train=False, seed=1).data, test.data)
    with pytest.raises(ValueError, match="test_fraction"):
        Digits(test_fraction=1.0)
