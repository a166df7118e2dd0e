"""DataLoader: mini-batches of a data set, shuffled reproducibly, made in
background threads if asked.

Epoch e's order is ``np.random.default_rng([seed, e]).permutation(n)``; the
epoch counter advances with every ``iter()``. ``set_epoch(e)`` or
``load_state_dict(state)`` put a loader at any epoch (and batch), so a
resumed run sees exactly the batches the original would have. Random
transforms inside a batch draw from streams seeded by (seed, epoch, batch
number) (transforms/_random.py), so the augmentations are reproducible too
and do not depend on num_workers.

Batches come out as (convcore.Tensor float32 [B, ...], np.ndarray int64 [B]).
When the data set has ``get_batch(indices)`` (the in-memory data sets and
their Subsets) a batch is one gather and one vectorised transform; otherwise
its samples are read one by one and stacked by collate_fn.

Leaves out: samplers, worker processes, pin_memory, iterable data sets.
"""
from __future__ import annotations

import numbers
from typing import Callable, Iterator, Optional

import numpy as np

from .._C import Tensor, from_numpy
from .._random import initial_seed
from ._prefetch import PrefetchBatches
from .transforms import batch_random_stream


def _convert(field):
    """One collated field: floats -> a float32 convcore.Tensor (zero copy when
    already float32 and C-contiguous), integers -> an int64 NumPy array."""
    if isinstance(field, Tensor):
        return field
    a = np.asarray(field)
    if np.issubdtype(a.dtype, np.floating):
        return from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    if np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
        return a.astype(np.int64, copy=False)
    return field


def default_collate(samples):
    """Stack a list of samples into a batch: samples that are tuples (x, label,
    ...) are stacked field by field. Float arrays become one float32
    convcore.Tensor [B, ...], integers (Python or NumPy) an int64 array [B]."""
    if not samples:
        raise ValueError("default_collate: no samples to collate")
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError("default_collate: samples have different numbers of fields")
        return tuple(default_collate([s[k] for s in samples]) for k in range(len(first)))
    if isinstance(first, dict):
        raise TypeError("default_collate: dict samples are not supported; pass a collate_fn")
    try:
        stacked = np.stack([np.asarray(s) for s in samples])
    except ValueError as e:
        raise ValueError(f"default_collate: samples of different shapes cannot be stacked ({e}); "
                         f"pass a collate_fn") from e
    return _convert(stacked)


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: must be >= {minimum}, got {value}")
    return int(value)


class DataLoader:
    """Iterate over a data set in mini-batches, as torch.utils.data.DataLoader.

    dataset: ``len()`` and ``[i]`` (and optionally ``get_batch``).
    batch_size, shuffle, drop_last: as torch. seed: the shuffling (and
    augmentation) seed; None means convcore.initial_seed() at construction.
    num_workers: 0 makes batches in the caller's thread; k > 0 makes them in
    k background threads, up to ``prefetch`` batches per thread ahead.
    collate_fn: turns a list of samples into a batch (default_collate);
    giving one turns off the get_batch fast path.
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: Optional[int] = None, num_workers: int = 0,
                 collate_fn: Optional[Callable] = None, prefetch: int = 2):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"dataset: expected a data set with __len__ and __getitem__, "
                            f"got {type(dataset).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn: expected a callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = _check_int(batch_size, "batch_size", 1)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = initial_seed() if seed is None else _check_int(seed, "seed", -(2**63)) % 2**64
        self.num_workers = _check_int(num_workers, "num_workers", 0)
        self.prefetch = _check_int(prefetch, "prefetch", 1)
        self.collate_fn = collate_fn
        self.epoch = 0       # the epoch the next iter() runs
        self._start = 0      # the batch the next iter() starts at (resume)
        self._progress = None  # [epoch, batches handed out, batches in the epoch] of the last iter()

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next iter() run epoch `epoch` (its shuffle order) from its start."""
        self.epoch = _check_int(epoch, "epoch", 0)
        self._start = 0

    def state_dict(self) -> dict:
        """{'seed', 'epoch', 'batch'}: where to resume. Mid-epoch (the last
        iteration has not handed out all its batches) that is the epoch in
        progress and the number of batches already handed out; otherwise the
        next epoch, batch 0."""
        p = self._progress
        if p is not None and p[1] < p[2]:
            return {"seed": self.seed, "epoch": p[0], "batch": p[1]}
        return {"seed": self.seed, "epoch": self.epoch, "batch": self._start}

    def load_state_dict(self, state: dict) -> None:
        """Resume from state_dict(): the next iter() runs state['epoch'] from
        batch state['batch'] (which must be < len(self)), and epochs count on
        from there."""
        for key in ("seed", "epoch", "batch"):
            if key not in state:
                raise KeyError(f"state: missing {key!r} (expected the keys seed, epoch, batch)")
        self.seed = _check_int(int(state["seed"]), "state['seed']", 0)
        self.epoch = _check_int(int(state["epoch"]), "state['epoch']", 0)
        self._start = _check_int(int(state["batch"]), "state['batch']", 0)
        if self._start > len(self):
            raise ValueError(f"state['batch']: {self._start} is past the {len(self)} batches "
                             f"of an epoch")
        self._progress = None

    def order(self, epoch: int) -> np.ndarray:
        """The sample order of an epoch (int64 [len(dataset)])."""
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        return np.random.default_rng([self.seed, epoch]).permutation(n).astype(np.int64)

    def _batch(self, order: np.ndarray, epoch: int, k: int):
        indices = order[k * self.batch_size:(k + 1) * self.batch_size]
        with batch_random_stream(self.seed, epoch, k):
            if self.collate_fn is None:
                get_batch = getattr(self.dataset, "get_batch", None)
                if get_batch is not None:
                    return tuple(_convert(f) for f in get_batch(indices))
                return default_collate([self.dataset[int(i)] for i in indices])
            return self.collate_fn([self.dataset[int(i)] for i in indices])

    def __iter__(self) -> Iterator:
        epoch, start = self.epoch, self._start
        self.epoch, self._start = epoch + 1, 0
        total = len(self)
        progress = [epoch, start, total]
        self._progress = progress
        return self._run(self.order(epoch), epoch, start, total, progress)

    def _run(self, order, epoch: int, start: int, total: int, progress: list):
        if self.num_workers == 0:
            for k in range(start, total):
                batch = self._batch(order, epoch, k)
                progress[1] = k + 1
                yield batch
            return
        workers = PrefetchBatches(lambda j: self._batch(order, epoch, start + j),
                                  total - start, self.num_workers,
                                  self.num_workers * self.prefetch)
        try:
            for j in range(total - start):
                batch = workers.get(j)
                progress[1] = start + j + 1
                yield batch
        finally:
            workers.close()

    def __repr__(self) -> str:
        return (f"DataLoader(batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, seed={self.seed}, num_workers={self.num_workers}, "
                f"batches={len(self)})")
