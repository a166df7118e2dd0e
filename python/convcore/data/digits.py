"""Digits: scikit-learn's bundled 8x8 handwritten digits (1,797 images, pixel
values 0..16, labels 0-9), split into fixed train and test parts.

The split is stratified and deterministic: within each class the samples
are shuffled by ``np.random.default_rng(seed)`` and the first
round(test_fraction * class size) go to the test part.

Leaves out: the 32x32 original bitmaps of the UCI data set.
"""
from __future__ import annotations

import functools
from typing import Callable, Optional

import numpy as np

from ._paths import PathLike
from .dataset import ArrayDataset


@functools.lru_cache(maxsize=1)
def _load():
    """(uint8 [1797, 8, 8], int64 [1797]), read once per process (read-only)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("Digits needs scikit-learn: pip install scikit-learn") from e
    bunch = load_digits()
    images = bunch.images.astype(np.uint8)  # values are the integers 0..16
    labels = bunch.target.astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


class Digits(ArrayDataset):
    """scikit-learn's 8x8 digits as a data set. A sample is (float32 [1, 8, 8] in
    [0, 1], label) with transform=None (ToTensor scaled by 1/16, since the
    pixels run 0..16). root: accepted for symmetry with the other data sets
    and ignored (the data ship with scikit-learn). ``.data`` uint8 [N, 8, 8];
    ``.indices`` the samples' positions in load_digits()."""

    _default_scale = 1.0 / 16.0
    classes = [str(d) for d in range(10)]

    def __init__(self, root: Optional[PathLike] = None, train: bool = True,
                 transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None,
                 test_fraction: float = 0.2, seed: int = 0):
        if not 0.0 < test_fraction < 1.0:
            raise ValueError(f"test_fraction: expected a fraction in (0, 1), got {test_fraction}")
        images, labels = _load()
        rng = np.random.default_rng(seed)
        test = []
        for c in range(10):
            members = rng.permutation(np.flatnonzero(labels == c))
            test.append(members[:int(round(test_fraction * len(members)))])
        in_test = np.zeros(len(labels), bool)
        in_test[np.concatenate(test)] = True
        keep = np.flatnonzero(~in_test if train else in_test)
        self.indices = keep  # positions in load_digits()'s order
        self.root = root
        self.train = bool(train)
        self.split = "Train" if self.train else "Test"
        super().__init__(images[keep], labels[keep], transform, target_transform,
                         classes=type(self).classes)
