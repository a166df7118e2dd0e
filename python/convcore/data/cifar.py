"""CIFAR-10 from any of its three layouts: the official binary batches
(cifar-10-batches-bin/), the official Python pickles (cifar-10-batches-py/),
or an image folder of JPEGs (cifar10-jpg.tar.gz or its extracted train/ and
test/ folders, decoded once and cached: _cifar_jpg.py).

Each directory of root, root/cifar10-jpg and root/cifar10 is searched for
those in that order (the official formats first: their pixels are the
original ones). download=True fetches the Python version from Toronto into
root and checks its md5.

The Python batches are pickles: unpickling runs code the file names, so read
only files from a source you trust (the md5 check covers downloads).

Leaves out: CIFAR-100.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Callable, Optional, Tuple

import numpy as np

from ._cifar_jpg import load_cached
from ._paths import PathLike, candidate_dirs, resolve_root
from .dataset import ArrayDataset
from .download import download_url, extract_tar

CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck"]
_RECORD = 1 + 3 * 32 * 32

DOWNLOADS = {
    "python": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
               "c58f30108f718f92721af3b95e74349a", "cifar-10-batches-py"),
    "binary": ("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
               "c32a1d4ab5d03f1284b67883e8d87530", "cifar-10-batches-bin"),
}


def _batch_names(train: bool, suffix: str):
    if train:
        return [f"data_batch_{k}{suffix}" for k in range(1, 6)]
    return [f"test_batch{suffix}"]


def read_binary_batch(path: Path) -> Tuple[np.ndarray, np.ndarray]:
    """One binary batch file: records of 1 label byte + 3072 pixel bytes (1024
    red, 1024 green, 1024 blue, rows top to bottom) -> (uint8 [N, 32, 32, 3],
    int64 [N])."""
    raw = Path(path).read_bytes()
    if not raw or len(raw) % _RECORD:
        raise ValueError(f"{path}: {len(raw)} bytes is not a whole number of {_RECORD}-byte "
                         f"CIFAR-10 records (1 label + 3072 pixels); the file is truncated "
                         f"or not a CIFAR-10 binary batch")
    records = np.frombuffer(raw, np.uint8).reshape(-1, _RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"{path}: label {int(labels.max())} found, CIFAR-10 labels are 0-9; "
                         f"not a CIFAR-10 binary batch (CIFAR-100's records are longer)")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def read_python_batch(path: Path) -> Tuple[np.ndarray, np.ndarray]:
    """One pickled batch ({b'data': uint8 [N, 3072], b'labels': [N]}) ->
    (uint8 [N, 32, 32, 3], int64 [N])."""
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
    except FileNotFoundError:
        raise
    except Exception as e:  # noqa: BLE001 - unpickling fails in many ways on bad bytes
        raise ValueError(f"{path}: not a readable CIFAR-10 python batch (corrupt or "
                         f"truncated pickle: {type(e).__name__}: {e})") from e
    if not isinstance(batch, dict):
        raise ValueError(f"{path}: expected a pickled dict with b'data' and b'labels', "
                         f"got {type(batch).__name__}")
    get = lambda key: batch.get(key.encode(), batch.get(key))  # noqa: E731
    data, labels = get("data"), get("labels")
    if data is None or labels is None:
        raise ValueError(f"{path}: the batch has no b'data' or b'labels' entry")
    data, labels = np.asarray(data), np.asarray(labels)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise ValueError(f"{path}: b'data' must be uint8 [N, 3072], "
                         f"got {data.dtype} {data.shape}")
    if labels.shape != (len(data),):
        raise ValueError(f"{path}: {len(data)} images but {labels.size} labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{path}: labels must be 0-9")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


class CIFAR10(ArrayDataset):
    """CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10
    classes (airplane ... truck, the official order).

    root: a directory holding cifar-10-batches-bin/, cifar-10-batches-py/,
    cifar10-jpg.tar.gz or the extracted train/ and test/ folders (or a parent
    of cifar10-jpg/); None means default_data_dir(). cache_dir: where the
    decoded JPEG archive is cached (default: next to the archive if writable,
    else $CONVCORE_CACHE or ~/.cache/convcore). A sample is (float32
    [3, 32, 32] in [0, 1], label) with transform=None. ``.data`` uint8
    [N, 32, 32, 3], ``.targets`` int64 [N], ``.source`` the layout read.
    """

    folders = ("cifar10-jpg", "cifar10")

    def __init__(self, root: Optional[PathLike] = None, train: bool = True,
                 transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False,
                 cache_dir: Optional[PathLike] = None):
        self.root = resolve_root(root)
        self.train = bool(train)
        self.split = "Train" if self.train else "Test"
        found = self._find()
        if found is None and download:
            url, md5, _ = DOWNLOADS["python"]
            archive = download_url(url, self.root, md5=md5)
            extract_tar(archive, self.root)
            found = self._find()
        if found is None:
            looked = ", ".join(str(d) for d in candidate_dirs(self.root, self.folders))
            raise FileNotFoundError(
                f"CIFAR10: found none of cifar-10-batches-bin/, cifar-10-batches-py/, "
                f"cifar10-jpg.tar.gz or train/+test/ class folders in {looked}. Pass "
                f"download=True to fetch {DOWNLOADS['python'][0]} into {self.root}")
        self.source, path = found
        if self.source == "jpg":
            data, targets = load_cached(path, CLASSES, "train" if self.train else "test",
                                        None if cache_dir is None else Path(cache_dir))
        else:
            suffix, read = (".bin", read_binary_batch) if self.source == "binary" else \
                ("", read_python_batch)
            parts = []
            for name in _batch_names(self.train, suffix):
                if not (path / name).is_file():
                    raise FileNotFoundError(f"CIFAR10: {path / name} is missing "
                                            f"({self.source} format batches in {path})")
                parts.append(read(path / name))
            data = np.concatenate([p[0] for p in parts])
            targets = np.concatenate([p[1] for p in parts])
        super().__init__(data, targets, transform, target_transform, classes=CLASSES)

    def _find(self):
        """(layout, path) of the first CIFAR-10 copy found, or None."""
        for d in candidate_dirs(self.root, self.folders):
            for layout, folder, probe in (("binary", "cifar-10-batches-bin", "test_batch.bin"),
                                          ("python", "cifar-10-batches-py", "test_batch")):
                if (d / folder / probe).is_file():
                    return layout, d / folder
                if d.name == folder and (d / probe).is_file():
                    return layout, d
            for name in ("cifar10-jpg.tar.gz", "cifar10-jpg.tgz", "cifar10-jpg.tar"):
                if (d / name).is_file():
                    return "jpg", d / name
            if (d / "train" / "airplane").is_dir() and (d / "test" / "airplane").is_dir():
                return "jpg", d
        return None
