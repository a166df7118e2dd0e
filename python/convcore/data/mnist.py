"""MNIST and Fashion-MNIST from their IDX files (gzipped or not).

The four files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz) are
looked for in root, then root/mnist (root/fashion-mnist), then torchvision's
root/MNIST/raw (root/FashionMNIST/raw). download=True fetches the missing
.gz files from the usual mirrors into root/mnist (root/fashion-mnist),
checking their md5. Images are held as uint8 [N, 28, 28].

Leaves out: EMNIST, KMNIST, QMNIST.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from ._paths import PathLike, candidate_dirs, resolve_root
from .dataset import ArrayDataset
from .download import download_from_mirrors
from .idx import read_idx


class MNIST(ArrayDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images,
    28x28 grayscale, labels 0-9.

    root: the directory with the files (or a parent of ``mnist/``); None
    means default_data_dir(). A sample is (float32 [1, 28, 28] in [0, 1],
    label) with transform=None (see ArrayDataset for what a transform gets).
    ``.data`` uint8 [N, 28, 28], ``.targets`` int64 [N].
    """

    folder = "mnist"
    torchvision_folder = "MNIST"
    mirrors = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )
    # the gzipped files' md5s (shared/data/README.md lists the same)
    resources: Dict[str, str] = {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: Optional[PathLike] = None, train: bool = True,
                 transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False):
        self.root = resolve_root(root)
        self.train = bool(train)
        self.split = "Train" if self.train else "Test"
        prefix = "train" if self.train else "t10k"
        names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        if download:
            self._download(names)
        image_path, label_path = self._find(names)
        images, labels = read_idx(image_path), read_idx(label_path)
        images, labels = self._check(images, labels, image_path, label_path)
        super().__init__(images, labels, transform, target_transform, classes=type(self).classes)

    @property
    def search_dirs(self):
        return candidate_dirs(self.root, (self.folder, f"{self.torchvision_folder}/raw"))

    def _find(self, names) -> Tuple[Path, Path]:
        for d in self.search_dirs:
            found = [self._file_in(d, name) for name in names]
            if all(found):
                return found[0], found[1]
        looked = ", ".join(str(d) for d in self.search_dirs)
        files = ", ".join(f"{n}[.gz]" for n in names)
        raise FileNotFoundError(
            f"{type(self).__name__}: did not find {files} in any of {looked}. "
            f"Pass download=True to fetch them from {self.mirrors[0]}, or put the files "
            f"{', '.join(self.resources)} in {self.root / self.folder}")

    @staticmethod
    def _file_in(d: Path, name: str) -> Optional[Path]:
        for candidate in (d / name, d / (name + ".gz")):
            if candidate.is_file():
                return candidate
        return None

    def _download(self, names) -> None:
        if any(all(self._file_in(d, n) for n in names) for d in self.search_dirs):
            return
        dest = self.root / self.folder
        for name in names:
            gz = name + ".gz"
            download_from_mirrors(self.mirrors, gz, dest, md5=self.resources[gz])

    @staticmethod
    def _check(images: np.ndarray, labels: np.ndarray, image_path: Path,
               label_path: Path) -> Tuple[np.ndarray, np.ndarray]:
        if images.ndim != 3 or images.dtype != np.uint8:
            raise ValueError(f"{image_path}: expected uint8 images [N, H, W], "
                             f"got {images.dtype} of shape {images.shape}")
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise ValueError(f"{label_path}: expected uint8 labels [N], "
                             f"got {labels.dtype} of shape {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{image_path} holds {len(images)} images but {label_path} holds "
                             f"{len(labels)} labels; the files do not belong together")
        if labels.size and labels.max() > 9:
            raise ValueError(f"{label_path}: labels must be 0-9, found {int(labels.max())}")
        return images, labels


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 60,000 / 10,000 28x28 grayscale images of
    clothing in 10 classes, in MNIST's file format and layout (files in root,
    or root/fashion-mnist)."""

    folder = "fashion-mnist"
    torchvision_folder = "FashionMNIST"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    resources = {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
