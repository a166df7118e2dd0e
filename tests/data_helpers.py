"""Helpers for the convcore.data tests: where the real data sets are, and
writers of small files in the exact formats the loaders read (IDX, CIFAR-10
binary and python batches, image-folder tars), so the formats and their
error paths are tested without the real files."""
import gzip
import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest


def shared_data_dir() -> Path:
    """../shared/data next to the repository, or $CONVCORE_DATA."""
    env = os.environ.get("CONVCORE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def require_shared(*parts) -> Path:
    """The path under the shared data directory, or skip the test."""
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (see ../shared/data/README.md)")
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    """An array in the IDX format (big-endian values)."""
    codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}
    code = codes[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_mnist_dir(folder: Path, n_train=30, n_test=10, gz=True, seed=0):
    """A tiny MNIST-format directory; returns {name: (images, labels)}."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte"
            data = idx_bytes(arr)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(data))
            else:
                (folder / name).write_bytes(data)
        out[prefix] = (images, labels)
    return out


def cifar_arrays(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8),
            rng.integers(0, 10, n).astype(np.int64))


def write_cifar_binary(folder: Path, per_batch=4, seed=0):
    """cifar-10-batches-bin with tiny batches; returns (train, test) arrays."""
    d = folder / "cifar-10-batches-bin"
    d.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]
    images, labels = cifar_arrays(per_batch * 6, seed)
    for k, name in enumerate(names):
        sl = slice(k * per_batch, (k + 1) * per_batch)
        planes = images[sl].transpose(0, 3, 1, 2).reshape(per_batch, 3072)
        records = np.concatenate([labels[sl, None].astype(np.uint8), planes], axis=1)
        (d / name).write_bytes(records.tobytes())
    n = per_batch * 5
    return (images[:n], labels[:n]), (images[n:], labels[n:])


def write_cifar_python(folder: Path, per_batch=4, seed=1):
    """cifar-10-batches-py with tiny pickled batches; returns (train, test) arrays."""
    d = folder / "cifar-10-batches-py"
    d.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]
    images, labels = cifar_arrays(per_batch * 6, seed)
    for k, name in enumerate(names):
        sl = slice(k * per_batch, (k + 1) * per_batch)
        batch = {b"batch_label": name.encode(), b"labels": labels[sl].tolist(),
                 b"data": images[sl].transpose(0, 3, 1, 2).reshape(per_batch, 3072),
                 b"filenames": [b"x.png"] * per_batch}
        with open(d / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    n = per_batch * 5
    return (images[:n], labels[:n]), (images[n:], labels[n:])


def encode_image(array: np.ndarray, fmt: str) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def write_image_tar(path: Path, files: dict) -> None:
    """A .tar.gz of {member path: bytes}."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
