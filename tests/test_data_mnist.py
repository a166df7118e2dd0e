"""convcore.data: the IDX reader, MNIST and Fashion-MNIST (real files from
../shared/data when present, small synthetic files otherwise), their errors,
and downloading with an md5 check (urllib mocked: no network)."""
import gzip
import hashlib
import io
import urllib.error
import urllib.request

import numpy as np
import pytest

from convcore.data import MNIST, FashionMNIST, DownloadError, read_idx
from convcore.data.download import download_url
from data_helpers import idx_bytes, require_shared, write_mnist_dir


# ---- IDX ----

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("gz", [False, True])
def test_idx_roundtrip(tmp_path, rng, dtype, gz):
    a = (rng.standard_normal((3, 4, 5)) * 50).astype(dtype)
    data = idx_bytes(a)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    path.write_bytes(gzip.compress(data) if gz else data)
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative and b.flags.writeable
    np.testing.assert_array_equal(a, b)


def test_idx_bad_magic(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"\x01\x02\x08\x01" + bytes(8))
    with pytest.raises(ValueError, match=r"not an IDX file.*magic"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x07\x01" + bytes(8))  # unknown type code
    with pytest.raises(ValueError, match=str(path)):
        read_idx(path)


def test_idx_truncated_and_extra(tmp_path):
    data = idx_bytes(np.zeros((10, 4), np.uint8))
    path = tmp_path / "t"
    path.write_bytes(data[:-3])
    with pytest.raises(ValueError, match=r"truncated.*\(10, 4\)"):
        read_idx(path)
    path.write_bytes(data[:6])  # inside the header
    with pytest.raises(ValueError, match="truncated IDX header"):
        read_idx(path)
    path.write_bytes(data + b"\0\0")
    with pytest.raises(ValueError, match="2 bytes after the data"):
        read_idx(path)


def test_idx_corrupt_gzip(tmp_path):
    gz = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "c.gz"
    path.write_bytes(gz[: len(gz) // 2])
    with pytest.raises(ValueError, match=r"c\.gz: corrupt or truncated gzip"):
        read_idx(path)
    path.write_bytes(gz[:10] + bytes(len(gz) - 10))  # damaged stream
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        read_idx(path)
    path.write_bytes(idx_bytes(np.zeros(3, np.uint8)))  # named .gz, not gzip
    with pytest.raises(ValueError, match="not a gzip file"):
        read_idx(path)


# ---- real MNIST / Fashion-MNIST ----

def _reference(path):
    """Independent reading: gzip + numpy, offsets from the format description."""
    raw = gzip.decompress(path.read_bytes())
    ndim = raw[3]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)


@pytest.mark.parametrize("cls,folder", [(MNIST, "mnist"), (FashionMNIST, "fashion-mnist")])
def test_real_files(cls, folder):
    folder_path = require_shared(folder)
    for train, n, prefix in ((True, 60000, "train"), (False, 10000, "t10k")):
        ds = cls(folder_path.parent, train=train)  # found through root/<folder>
        assert len(ds) == n and ds.data.shape == (n, 28, 28) and ds.data.dtype == np.uint8
        assert ds.targets.dtype == np.int64 and ds.classes == cls.classes
        labels = _reference(folder_path / f"{prefix}-labels-idx1-ubyte.gz")
        pixels = _reference(folder_path / f"{prefix}-images-idx3-ubyte.gz").reshape(n, 28, 28)
        np.testing.assert_array_equal(np.bincount(ds.targets, minlength=10),
                                      np.bincount(labels, minlength=10))
        for i in (0, 1, n // 2, n - 1):
            assert int(ds.data[i].sum(dtype=np.int64)) == int(pixels[i].sum(dtype=np.int64))
            x, y = ds[i]
            assert x.shape == (1, 28, 28) and x.dtype == np.float32 and y == labels[i]
            np.testing.assert_allclose(x[0], pixels[i] / 255.0, rtol=1e-6)
    # root pointing at the folder itself works too
    assert len(cls(folder_path, train=False)) == 10000


@pytest.mark.parametrize("cls,folder", [(MNIST, "mnist"), (FashionMNIST, "fashion-mnist")])
def test_md5_constants_match_real_files(cls, folder):
    folder_path = require_shared(folder)
    for name, md5 in cls.resources.items():
        assert hashlib.md5((folder_path / name).read_bytes()).hexdigest() == md5


def test_mnist_labels_histogram_known():
    ds = MNIST(require_shared("mnist").parent, train=False)
    # the MNIST test set's published class counts
    assert np.bincount(ds.targets).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# ---- synthetic files and errors ----

@pytest.mark.parametrize("gz", [True, False])
def test_synthetic_dir(tmp_path, gz):
    arrays = write_mnist_dir(tmp_path / "mnist", gz=gz)
    for train, prefix in ((True, "train"), (False, "t10k")):
        ds = MNIST(tmp_path, train=train)
        np.testing.assert_array_equal(ds.data, arrays[prefix][0])
        np.testing.assert_array_equal(ds.targets, arrays[prefix][1])
        x, y = ds.get_batch(np.array([2, 0]))
        np.testing.assert_allclose(x[:, 0], arrays[prefix][0][[2, 0]] / 255.0, rtol=1e-6)


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.*download=True"):
        MNIST(tmp_path)
    write_mnist_dir(tmp_path / "mnist")
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        MNIST(tmp_path, train=False)


def test_count_mismatch(tmp_path):
    write_mnist_dir(tmp_path, n_train=12)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.zeros(11, np.uint8))))
    with pytest.raises(ValueError, match="12 images but .* 11 labels"):
        MNIST(tmp_path)


def test_truncated_image_file(tmp_path):
    write_mnist_dir(tmp_path, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte: truncated"):
        MNIST(tmp_path)


def test_bad_labels(tmp_path):
    write_mnist_dir(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.full(10, 12, np.uint8))))
    with pytest.raises(ValueError, match="labels must be 0-9"):
        MNIST(tmp_path, train=False)


# ---- downloads (urllib mocked) ----

class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _serve(monkeypatch, files, log=None):
    """Mock urlopen: serve files[url's last part], or fail like a dead mirror."""
    def urlopen(url, timeout=None):
        if log is not None:
            log.append(url)
        name = url.rsplit("/", 1)[-1]
        if name not in files:
            raise urllib.error.URLError("no route to host (mocked)")
        return _Response(files[name])
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


def test_download_mnist_checks_md5(tmp_path, monkeypatch):
    source = tmp_path / "source"
    arrays = write_mnist_dir(source)
    files = {p.name: p.read_bytes() for p in source.iterdir()}

    class Tiny(MNIST):
        resources = {name: hashlib.md5(data).hexdigest() for name, data in files.items()}

    log = []
    _serve(monkeypatch, files, log)
    ds = Tiny(tmp_path / "root", train=False, download=True)
    np.testing.assert_array_equal(ds.data, arrays["t10k"][0])
    assert sorted(p.name for p in (tmp_path / "root" / "mnist").iterdir()) == \
        ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert all(url.startswith(Tiny.mirrors[0]) for url in log)
    log.clear()
    Tiny(tmp_path / "root", train=False, download=True)  # present: nothing fetched
    assert log == []


def test_download_md5_mismatch(tmp_path, monkeypatch):
    _serve(monkeypatch, {name: b"not the real file" for name in MNIST.resources})
    with pytest.raises(DownloadError, match="md5 mismatch"):
        MNIST(tmp_path, download=True)
    # nothing half-written is left behind to be mistaken for the data
    assert list((tmp_path / "mnist").iterdir()) == []


def test_download_falls_back_to_next_mirror(tmp_path, monkeypatch):
    data = b"payload"
    calls = []

    def urlopen(url, timeout=None):
        calls.append(url)
        if url.startswith("https://first"):
            raise urllib.error.URLError("down")
        return _Response(data)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    from convcore.data.download import download_from_mirrors
    path = download_from_mirrors(["https://first/x/", "https://second/y/"], "f.bin", tmp_path,
                                 md5=hashlib.md5(data).hexdigest())
    assert path.read_bytes() == data and calls == ["https://first/x/f.bin", "https://second/y/f.bin"]


def test_download_url_skips_good_file(tmp_path, monkeypatch):
    (tmp_path / "f").write_bytes(b"abc")
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("fetched"))
    assert download_url("https://x/f", tmp_path, md5=hashlib.md5(b"abc").hexdigest()).name == "f"
