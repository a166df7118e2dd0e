"""Data set building blocks: Dataset, TensorDataset, ArrayDataset (the
in-memory image data set MNIST, CIFAR10 and Digits are built on), Subset,
random_split and train_val_split.

A data set gives ``len(ds)`` and ``ds[i] -> (x, label)``. In-memory ones
also give ``get_batch(indices) -> (x float32 [B, ...], labels int64 [B])``,
which reads a batch with one NumPy gather and transforms it in one go; the
DataLoader uses it when present.

Leaves out: iterable-style data sets, ConcatDataset, samplers.
"""
from __future__ import annotations

import copy
import numbers
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .transforms import ToTensor, is_batchable


class Dataset:
    """Base class: subclasses define __len__ and __getitem__(i)."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")


def _index(i, n: int, who: str) -> int:
    if isinstance(i, bool) or not isinstance(i, numbers.Integral):
        raise TypeError(f"{who}: index must be an int, got {type(i).__name__}")
    i = int(i)
    if not -n <= i < n:
        raise IndexError(f"{who}: index {i} out of range for {n} samples")
    return i + n if i < 0 else i


def _indices(indices, n: int, who: str) -> np.ndarray:
    idx = np.asarray(indices)
    if idx.ndim != 1 or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
        raise TypeError(f"{who}: indices must be a 1-D integer array, "
                        f"got shape {idx.shape} dtype {idx.dtype}")
    idx = idx.astype(np.intp, copy=False)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"{who}: indices out of range for {n} samples")
    return np.where(idx < 0, idx + n, idx)


def _as_targets(targets, n: int) -> np.ndarray:
    t = np.asarray(targets)
    if t.shape != (n,):
        raise ValueError(f"targets: expected shape ({n},) (one label per sample), got {t.shape}")
    if n and not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"targets: expected integer class labels, got dtype {t.dtype}")
    return t.astype(np.int64, copy=False)


class TensorDataset(Dataset):
    """Samples are the i-th rows of equally long arrays, as torch's
    TensorDataset: ``ds[i] == (a[i], b[i], ...)``."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        n = len(self.arrays[0]) if self.arrays[0].ndim else -1
        for k, a in enumerate(self.arrays):
            if a.ndim == 0 or len(a) != n:
                raise ValueError(f"arrays[{k}]: expected {n} rows like arrays[0], got shape {a.shape}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, i):
        i = _index(i, len(self), "TensorDataset")
        return tuple(a[i] for a in self.arrays)

    def get_batch(self, indices):
        idx = _indices(indices, len(self), "TensorDataset.get_batch")
        return tuple(a[idx] for a in self.arrays)


class ArrayDataset(Dataset):
    """Samples and integer labels held in memory as NumPy arrays.

    data: uint8 images [N, H, W] or [N, H, W, C], or any numeric array
    [N, ...]. targets: integer labels [N]. transform: applied to each sample,
    or to a whole batch in get_batch when it can take batches (convcore's
    transforms can). Images reach the transform as uint8 [H, W, C]
    (grayscale with C = 1), batches as [B, H, W, C]; transform=None means
    ToTensor(), so a sample comes out float32 [C, H, W] in [0, 1]. Other data
    reach it as float32 [...]; transform=None leaves them so.
    target_transform: applied to each int label.

    ``.data``, ``.targets`` (int64), ``.classes`` and ``.class_to_idx`` as
    torchvision's data sets.
    """

    _default_scale: Optional[float] = None  # ToTensor's scale when transform is None

    def __init__(self, data, targets, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None,
                 classes: Optional[Sequence[str]] = None):
        data = np.asarray(data)
        if data.ndim == 0:
            raise ValueError("data: expected an array [N, ...], got a scalar")
        self.data = data
        self.targets = _as_targets(targets, len(data))
        self.transform = transform
        self.target_transform = target_transform
        self.classes = list(classes) if classes is not None else \
            [str(c) for c in range(int(self.targets.max()) + 1 if len(self.targets) else 0)]

    @property
    def class_to_idx(self) -> dict:
        return {c: i for i, c in enumerate(self.classes)}

    @property
    def is_image_data(self) -> bool:
        return self.data.dtype == np.uint8 and self.data.ndim in (3, 4)

    def __len__(self) -> int:
        return len(self.data)

    def _raw(self, idx) -> np.ndarray:
        """The stored samples at idx (an int or an index array), in the layout
        the transform receives."""
        x = self.data[idx]  # fancy or integer indexing: a copy or a view we never write
        if self.is_image_data and self.data.ndim == 3:
            x = x[..., None]
        elif not self.is_image_data:
            x = x.astype(np.float32)  # a copy, so an in-place transform cannot touch .data
        return x

    @property
    def sample_transform(self) -> Optional[Callable]:
        """What samples go through: transform, or the default ToTensor when it is None."""
        if self.transform is not None:
            return self.transform
        return ToTensor(scale=self._default_scale) if self.is_image_data else None

    def __getitem__(self, index) -> Tuple[np.ndarray, int]:
        i = _index(index, len(self), type(self).__name__)
        x, t = self._raw(i), self.sample_transform
        y = int(self.targets[i])
        if t is not None:
            x = t(x)
        if self.target_transform is not None:
            y = self.target_transform(y)
        return x, y

    def get_batch(self, indices) -> Tuple[np.ndarray, np.ndarray]:
        """(samples float32 [B, ...], labels int64 [B]) for an index array."""
        idx = _indices(indices, len(self), f"{type(self).__name__}.get_batch")
        x, t = self._raw(idx), self.sample_transform
        if t is not None:
            if is_batchable(t):
                x = t(x)
            else:
                x = np.stack([np.asarray(t(s)) for s in x]) if len(x) else x
        y = self.targets[idx]
        if self.target_transform is not None:
            y = np.array([self.target_transform(int(v)) for v in y], dtype=np.int64)
        return np.ascontiguousarray(x, dtype=np.float32), y

    def with_transform(self, transform: Optional[Callable] = None) -> "ArrayDataset":
        """A copy sharing this data set's arrays, with another transform (for
        example an unaugmented view of the training set for validation)."""
        other = copy.copy(self)
        other.transform = transform
        return other

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        for name in ("root", "split"):
            if getattr(self, name, None) is not None:
                label = "Root location" if name == "root" else "Split"
                lines.append(f"    {label}: {getattr(self, name)}")
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        return "\n".join(lines)


class Subset(Dataset):
    """The samples of dataset at indices, as torch's Subset (``.dataset``,
    ``.indices``). Offers get_batch when dataset does."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = _indices(indices, len(dataset), "Subset").astype(np.int64)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i):
        return self.dataset[int(self.indices[_index(i, len(self), "Subset")])]

    @property
    def get_batch(self):
        base = getattr(self.dataset, "get_batch", None)
        if base is None:
            raise AttributeError(f"{type(self.dataset).__name__} has no get_batch")

        def get_batch(indices):
            return base(self.indices[_indices(indices, len(self), "Subset.get_batch")])
        return get_batch

    @property
    def targets(self) -> np.ndarray:
        """The subset's labels, when the underlying data set has ``.targets``."""
        return np.asarray(self.dataset.targets)[self.indices]


def _split_lengths(lengths: Sequence[Union[int, float]], n: int) -> List[int]:
    lengths = list(lengths)
    if not lengths:
        raise ValueError("lengths: expected at least one length")
    if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in lengths):
        if min(lengths) < 0 or sum(lengths) != n:
            raise ValueError(f"lengths: non-negative ints summing to the data set's {n} samples "
                             f"expected, got {lengths} (sum {sum(lengths)})")
        return [int(v) for v in lengths]
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in lengths) \
            and all(0 <= v <= 1 for v in lengths) and abs(sum(lengths) - 1) < 1e-6:
        # as torch: floor each fraction, then hand out the rest one by one
        counts = [int(np.floor(n * v)) for v in lengths]
        for k in range((n - sum(counts))):
            counts[k % len(counts)] += 1
        return counts
    raise ValueError(f"lengths: expected ints summing to {n} or fractions summing to 1, "
                     f"got {lengths}")


def random_split(dataset, lengths: Sequence[Union[int, float]], seed: int = 0) -> List[Subset]:
    """Split dataset into non-overlapping random Subsets of the given lengths
    (ints, or fractions summing to 1), as torch.utils.data.random_split but
    with a seed: the order is ``np.random.default_rng(seed).permutation(n)``."""
    n = len(dataset)
    counts = _split_lengths(lengths, n)
    order = np.random.default_rng(seed).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def train_val_split(dataset, val_size: Union[int, float] = 0.1, seed: int = 0,
                    shuffle: bool = True) -> Tuple[Subset, Subset]:
    """(train, validation) Subsets of a training set.

    val_size: a number of samples, or a fraction of the data set (rounded):
    CIFAR-10's 45,000 / 5,000 is ``val_size=5000`` (or 0.1). shuffle=True
    picks the validation samples at random with seed; shuffle=False takes the
    last val_size samples. Both subsets keep their indices in ascending
    order. To validate without augmentation, index an unaugmented copy with
    the same indices: ``Subset(ds.with_transform(None), val.indices)``.
    """
    n = len(dataset)
    if isinstance(val_size, bool) or not isinstance(val_size, numbers.Real):
        raise TypeError(f"val_size: expected an int or a float, got {type(val_size).__name__}")
    if isinstance(val_size, numbers.Integral):
        count = int(val_size)
    elif 0.0 <= val_size <= 1.0:
        count = int(round(n * float(val_size)))
    else:
        raise ValueError(f"val_size: a fraction must be in [0, 1], got {val_size}")
    if not 0 <= count <= n:
        raise ValueError(f"val_size: {count} is not between 0 and the data set's {n} samples")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    val, train = order[n - count:], order[:n - count]
    return Subset(dataset, np.sort(train)), Subset(dataset, np.sort(val))
