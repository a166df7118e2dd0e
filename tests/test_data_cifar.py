"""convcore.data.CIFAR10: the official binary and python formats (small
synthetic files written here in those exact formats), the JPEG image-folder
archive of ../shared/data (decoded once per session into a temporary cache)
and synthetic archives, the cache, and the errors for damaged files."""
import hashlib
import io
import pickle
import tarfile
import urllib.request

import numpy as np
import pytest

from convcore.data import CIFAR10, DownloadError
from convcore.data import _cifar_jpg, cifar
from data_helpers import (encode_image, require_shared, write_cifar_binary, write_cifar_python,
                          write_image_tar)

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


# ---- official formats ----

@pytest.mark.parametrize("writer,source", [(write_cifar_binary, "binary"),
                                           (write_cifar_python, "python")])
def test_official_formats(tmp_path, writer, source):
    (train_x, train_y), (test_x, test_y) = writer(tmp_path)
    for train, xs, ys in ((True, train_x, train_y), (False, test_x, test_y)):
        ds = CIFAR10(tmp_path, train=train)
        assert ds.source == source and ds.classes == CLASSES
        np.testing.assert_array_equal(ds.data, xs)  # [N, 32, 32, 3], torchvision's layout
        np.testing.assert_array_equal(ds.targets, ys)
        x, y = ds[3]
        assert x.shape == (3, 32, 32) and x.dtype == np.float32 and y == ys[3]
        np.testing.assert_allclose(x, xs[3].transpose(2, 0, 1) / 255.0, rtol=1e-6)


def test_root_may_be_the_batches_folder(tmp_path):
    (_, _), (test_x, _) = write_cifar_python(tmp_path)
    ds = CIFAR10(tmp_path / "cifar-10-batches-py", train=False)
    np.testing.assert_array_equal(ds.data, test_x)


def test_binary_preferred_over_jpg(tmp_path):
    write_cifar_binary(tmp_path)
    (tmp_path / "cifar10-jpg.tar.gz").write_bytes(b"never read")
    assert CIFAR10(tmp_path, train=False).source == "binary"


def test_truncated_binary(tmp_path):
    write_cifar_binary(tmp_path)
    path = tmp_path / "cifar-10-batches-bin" / "data_batch_3.bin"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"data_batch_3\.bin: .*not a whole number of 3073-byte"):
        CIFAR10(tmp_path)


def test_binary_bad_label(tmp_path):
    write_cifar_binary(tmp_path)
    path = tmp_path / "cifar-10-batches-bin" / "test_batch.bin"
    raw = bytearray(path.read_bytes())
    raw[0] = 57
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="label 57"):
        CIFAR10(tmp_path, train=False)


def test_corrupt_python_batch(tmp_path):
    write_cifar_python(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "data_batch_2"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"data_batch_2: not a readable CIFAR-10 python batch"):
        CIFAR10(tmp_path)
    with open(path, "wb") as f:
        pickle.dump({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1]}, f)
    with pytest.raises(ValueError, match="2 images but 1 labels"):
        CIFAR10(tmp_path)


def test_missing_batch_and_missing_data(tmp_path):
    write_cifar_python(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_5").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_5 is missing"):
        CIFAR10(tmp_path)
    with pytest.raises(FileNotFoundError, match="download=True"):
        CIFAR10(tmp_path / "empty")


def _tar_gz(files: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_download_python_version(tmp_path, monkeypatch):
    source = tmp_path / "src"
    (_, _), (test_x, _) = write_cifar_python(source)
    folder = source / "cifar-10-batches-py"
    archive = _tar_gz({f"cifar-10-batches-py/{p.name}": p.read_bytes() for p in folder.iterdir()})
    url, _, folder_name = cifar.DOWNLOADS["python"]
    monkeypatch.setitem(cifar.DOWNLOADS, "python",
                        (url, hashlib.md5(archive).hexdigest(), folder_name))
    served = []

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

    def urlopen(u, timeout=None):
        served.append(u)
        return Response(archive)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    ds = CIFAR10(tmp_path / "root", train=False, download=True)
    assert served == [url] and ds.source == "python"
    np.testing.assert_array_equal(ds.data, test_x)


def test_download_md5_mismatch(tmp_path, monkeypatch):
    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()
    monkeypatch.setattr(urllib.request, "urlopen", lambda u, timeout=None: Response(b"junk"))
    with pytest.raises(DownloadError, match="md5 mismatch.*c58f30108f718f92721af3b95e74349a"):
        CIFAR10(tmp_path, download=True)
    assert list(tmp_path.iterdir()) == []


# ---- JPEG image folder: synthetic ----

def _synthetic_jpg(rng, per_class=(2, 1), fmt="JPEG"):
    """{member: bytes} of a small train/test image-folder archive, and the
    images PIL decodes from them, in the loader's order."""
    from PIL import Image
    files, decoded = {}, {"train": [], "test": []}
    for split, n in zip(("train", "test"), per_class):
        for c, name in enumerate(CLASSES):
            for k in range(n):
                img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                data = encode_image(img, fmt)
                files[f"{split}/{name}/{k:04d}.{'jpg' if fmt == 'JPEG' else 'png'}"] = data
                ref = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
                decoded[split].append((ref, c))
    return files, decoded


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_synthetic_jpg_archive_and_folder(tmp_path, rng, fmt):
    files, decoded = _synthetic_jpg(rng, fmt=fmt)
    # members in shuffled order: the loader sorts by (class, name)
    items = list(files.items())
    order = rng.permutation(len(items))
    write_image_tar(tmp_path / "cifar10-jpg.tar.gz", dict(items[i] for i in order))
    extracted = tmp_path / "ex" / "cifar10-jpg"
    with tarfile.open(tmp_path / "cifar10-jpg.tar.gz") as tar:
        tar.extractall(extracted, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    for root in (tmp_path, tmp_path / "ex"):
        for train, split in ((True, "train"), (False, "test")):
            ds = CIFAR10(root, train=train, cache_dir=tmp_path / f"cache{fmt}")
            assert ds.source == "jpg" and len(ds) == len(decoded[split])
            np.testing.assert_array_equal(ds.data, np.stack([r for r, _ in decoded[split]]))
            np.testing.assert_array_equal(ds.targets, [c for _, c in decoded[split]])


def test_jpg_cache_is_reused_and_keyed_by_content(tmp_path, rng, monkeypatch):
    files, _ = _synthetic_jpg(rng)
    archive = tmp_path / "cifar10-jpg.tar.gz"
    write_image_tar(archive, files)
    cache = tmp_path / "cache"
    first = CIFAR10(tmp_path, cache_dir=cache)
    assert len(list(cache.glob("cifar10-jpg-*.npz"))) == 1

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded again instead of reading the cache")
    monkeypatch.setattr(_cifar_jpg, "decode_archive", no_decoding)
    again = CIFAR10(tmp_path, cache_dir=cache)
    np.testing.assert_array_equal(first.data, again.data)
    np.testing.assert_array_equal(first.targets, again.targets)
    monkeypatch.undo()
    # a changed archive gets its own cache entry rather than the stale one
    files["train/cat/0000.jpg"] = encode_image(np.zeros((32, 32, 3), np.uint8), "JPEG")
    write_image_tar(archive, files)
    changed = CIFAR10(tmp_path, cache_dir=cache)
    assert len(list(cache.glob("cifar10-jpg-*.npz"))) == 2
    assert not np.array_equal(changed.data, first.data)


def test_jpg_cache_damaged_is_rebuilt(tmp_path, rng):
    files, _ = _synthetic_jpg(rng)
    write_image_tar(tmp_path / "cifar10-jpg.tar.gz", files)
    first = CIFAR10(tmp_path, cache_dir=tmp_path / "cache")
    (cached,) = (tmp_path / "cache").glob("*.npz")
    cached.write_bytes(cached.read_bytes()[:1000])
    np.testing.assert_array_equal(CIFAR10(tmp_path, cache_dir=tmp_path / "cache").data, first.data)


def test_jpg_errors(tmp_path, rng):
    files, _ = _synthetic_jpg(rng)
    archive = tmp_path / "cifar10-jpg.tar.gz"
    write_image_tar(archive, files)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cifar10-jpg.tar.gz: corrupt or truncated gzip"):
        CIFAR10(tmp_path, cache_dir=tmp_path / "c")
    bad = dict(files)
    bad["train/dog/0001.jpg"] = files["train/dog/0001.jpg"][:40]
    write_image_tar(archive, bad)
    with pytest.raises(ValueError, match=r"train/dog/0001\.jpg: cannot decode"):
        CIFAR10(tmp_path, cache_dir=tmp_path / "c")
    bad = dict(files)
    bad["train/unicorn/0000.jpg"] = files["train/dog/0001.jpg"]
    write_image_tar(archive, bad)
    with pytest.raises(ValueError, match="unexpected class folder 'unicorn'"):
        CIFAR10(tmp_path, cache_dir=tmp_path / "c")
    small = dict(files)
    small["train/dog/0001.jpg"] = encode_image(np.zeros((16, 16, 3), np.uint8), "JPEG")
    write_image_tar(archive, small)
    with pytest.raises(ValueError, match=r"0001\.jpg: expected a 32x32 RGB image"):
        CIFAR10(tmp_path, cache_dir=tmp_path / "c")


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_tar_reader(tmp_path, rng, fmt):
    from convcore.data._tar import iter_tar_files
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for k in range(3):
            # long names: ustar's prefix field, GNU 'L' or pax 'x' records
            info = tarfile.TarInfo(f"d/{'x' * 120}/{k}.bin")
            payload = rng.bytes(700 + k)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    raw = buf.getvalue()
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        expected = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
    assert {name: bytes(data) for name, data in iter_tar_files(raw)} == expected
    damaged = bytearray(raw)
    damaged[100] ^= 0x55  # the first header's mode field
    with pytest.raises(ValueError, match="checksum"):
        list(iter_tar_files(bytes(damaged), "t.tar"))
    with pytest.raises(ValueError, match="truncated tar"):
        list(iter_tar_files(raw[:2000], "t.tar"))


# ---- the real JPEG archive of ../shared/data ----

@pytest.fixture(scope="session")
def real_cifar(tmp_path_factory):
    archive = require_shared("cifar10-jpg", "cifar10-jpg.tar.gz")
    cache = tmp_path_factory.mktemp("cifar_cache")
    return archive, CIFAR10(archive.parent.parent, train=True, cache_dir=cache), \
        CIFAR10(archive.parent.parent, train=False, cache_dir=cache)


def test_real_jpg_counts_and_classes(real_cifar):
    _, train, test = real_cifar
    assert train.source == "jpg" and train.classes == CLASSES
    assert train.data.shape == (50000, 32, 32, 3) and test.data.shape == (10000, 32, 32, 3)
    assert np.bincount(train.targets).tolist() == [5000] * 10
    assert np.bincount(test.targets).tolist() == [1000] * 10
    # sorted by class: the official class order decides the labels
    np.testing.assert_array_equal(train.targets, np.repeat(np.arange(10), 5000))


def test_real_jpg_pixels_match_pil(real_cifar):
    from PIL import Image
    archive, train, _ = real_cifar
    checked = 0
    with tarfile.open(archive, "r|gz") as tar:  # the archive starts with train/airplane/
        for member in tar:
            if not member.isfile():
                continue
            split, cls, name = member.name.split("/")[-3:]
            assert (split, cls) == ("train", "airplane")
            ref = np.asarray(Image.open(io.BytesIO(tar.extractfile(member).read())).convert("RGB"))
            np.testing.assert_array_equal(train.data[int(name.split(".")[0])], ref)
            checked += 1
            if checked == 25:
                break
    assert checked == 25
