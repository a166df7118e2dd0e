"""The deterministic transforms: Compose, ToTensor, Normalize, CenterMean,
PixelPermutation, Flatten.

Each takes one sample or a whole batch, told apart by the number of
dimensions: after ToTensor a sample is float32 [C, H, W] and a batch
[B, C, H, W]. ToTensor itself takes the uint8 images the data sets hold:
[H, W] or [H, W, C] for one image, [B, H, W, C] for a batch (a batch of
grayscale images carries its channel axis, C = 1, since [B, H, W] could not
be told from [H, W, C]). Batches are transformed with whole-array NumPy
operations, which is what lets the DataLoader transform a batch at once.
No transform writes into its input (except Normalize(inplace=True)).

Leaves out: PIL images as outputs, resizing, colour jitter.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional, Sequence

import numpy as np

from ..._C import Tensor


def _as_array(x, name: str = "x") -> np.ndarray:
    try:
        return np.asarray(x)
    except Exception as e:  # noqa: BLE001 - any conversion failure is the caller's bad input
        raise TypeError(f"{name}: expected an array, got {type(x).__name__}") from e


def image_batch(x, who: str):
    """x: [C, H, W] or [B, C, H, W] -> (x as [B, C, H, W], whether it was one sample)."""
    x = _as_array(x)
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"{who}: expected an image [C, H, W] or a batch [B, C, H, W], "
                     f"got shape {x.shape}")


def _writable_float(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.flags.writeable \
        and x.flags.c_contiguous


def is_batchable(transform) -> bool:
    """Whether transform can take a whole batch (convcore's transforms can; any
    other callable is applied one sample at a time)."""
    return bool(getattr(transform, "batchable", False))


class Compose:
    """Apply transforms in order, as torchvision.transforms.Compose."""

    def __init__(self, transforms: Sequence[Callable]):
        transforms = list(transforms)
        for i, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(f"transforms[{i}]: expected a callable, got {type(t).__name__}")
        self.transforms = transforms

    @property
    def batchable(self) -> bool:
        return all(is_batchable(t) for t in self.transforms)

    def __call__(self, x):
        # Once a transform has returned a fresh float array, the ones after it
        # that can work in place (apply_) do: a fresh multi-MB array per step
        # is page-faulted in 4 KiB at a time and costs more than the step.
        owned = False
        for t in self.transforms:
            if owned and hasattr(t, "apply_") and _writable_float(x):
                x = t.apply_(x)
            else:
                x = t(x)
                owned = getattr(t, "fresh_output", False)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"{type(self).__name__}({inner}\n)"


class ToTensor:
    """uint8 image(s) -> float32 [C, H, W] (or batch [B, C, H, W]) times scale.

    Takes [H, W], [H, W, C] or a batch [B, H, W, C] (also a PIL image).
    scale: the factor applied; None means 1/255 for integer input (pixels
    in [0, 1], as torchvision) and 1 for float input. ``ToTensor(scale=1.0)``
    keeps raw 0..255 pixel values (the decks' linear classifier).
    """

    batchable = True
    fresh_output = True  # always a new C-contiguous array (Compose may then work in place)

    def __init__(self, scale: Optional[float] = None):
        if scale is not None and not isinstance(scale, (int, float, np.floating, np.integer)):
            raise TypeError(f"scale: expected a number or None, got {type(scale).__name__}")
        self.scale = None if scale is None else float(scale)

    def __call__(self, pic) -> np.ndarray:
        x = _as_array(pic, "pic")
        if x.dtype == bool or not (np.issubdtype(x.dtype, np.integer)
                                   or np.issubdtype(x.dtype, np.floating)):
            raise TypeError(f"ToTensor: expected an integer or float image, got dtype {x.dtype}")
        if x.ndim == 2:
            chw = x[None]
        elif x.ndim == 3:
            chw = x.transpose(2, 0, 1)
        elif x.ndim == 4:
            chw = x.transpose(0, 3, 1, 2)
        else:
            raise ValueError(f"ToTensor: expected [H, W], [H, W, C] or a batch [B, H, W, C], "
                             f"got shape {x.shape}")
        # reorder in the input's (usually 1-byte) type, where the strided reads
        # are cheap, then convert and scale in one contiguous pass
        chw = np.ascontiguousarray(chw)
        out = np.empty(chw.shape, np.float32)
        if self.scale is None and np.issubdtype(x.dtype, np.integer):
            # divide, as torchvision does, for bit-identical pixels
            np.divide(chw, np.float32(255), out=out, dtype=np.float32, casting="unsafe")
        else:
            scale = 1.0 if self.scale is None else self.scale
            np.multiply(chw, np.float32(scale), out=out, dtype=np.float32, casting="unsafe")
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()" if self.scale is None else \
            f"{type(self).__name__}(scale={self.scale})"


def _per_channel(values, name: str) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim > 1 or v.size == 0:
        raise ValueError(f"{name}: expected a number or a sequence of one number per channel, "
                         f"got shape {v.shape}")
    return v.reshape(-1)


class Normalize:
    """(x - mean[c]) / std[c] per channel, as torchvision.transforms.Normalize.

    x: [C, H, W] or [B, C, H, W] float; mean and std: one value or C values.
    inplace=True writes into x (which must then be a writable float array).
    """

    batchable = True

    @property
    def fresh_output(self) -> bool:
        return not self.inplace

    def __init__(self, mean, std, inplace: bool = False):
        self.mean = _per_channel(mean, "mean")
        self.std = _per_channel(std, "std")
        if np.any(self.std == 0):
            raise ValueError(f"std: must not contain 0 (division by zero), got {self.std.tolist()}")
        self.inplace = inplace

    def _normalize(self, x, inplace: bool) -> np.ndarray:
        x4, _ = image_batch(x, "Normalize")
        c = x4.shape[1]
        for name, v in (("mean", self.mean), ("std", self.std)):
            if v.size not in (1, c):
                raise ValueError(f"Normalize: {name} has {v.size} values, the input has {c} channels")
        shape = (-1, 1, 1)
        # float32 statistics and a true division, as torchvision computes it
        mean = np.broadcast_to(self.mean, (c,)).astype(np.float32).reshape(shape)
        std = np.broadcast_to(self.std, (c,)).astype(np.float32).reshape(shape)
        x = _as_array(x)
        if inplace:
            if not _writable_float(x):
                raise TypeError(f"Normalize(inplace=True): expected a writable C-contiguous float "
                                f"array, got {x.dtype}")
            out = x
        else:
            out = np.empty(x.shape, np.float32)
        np.subtract(x, mean, out=out)
        np.divide(out, std, out=out)
        return out

    def __call__(self, x) -> np.ndarray:
        return self._normalize(x, self.inplace)

    def apply_(self, x: np.ndarray) -> np.ndarray:
        """Normalize x (a writable float array) in place."""
        return self._normalize(x, True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean.tolist()}, std={self.std.tolist()})"


class CenterMean:
    """Subtract a fixed mean image (per_channel=False: one mean per pixel and
    channel, shape [C, H, W] or whatever one sample's shape is) or a mean per
    channel (per_channel=True: shape [C]).

    Build it from the training data with ``CenterMean.fit(train_set)`` so the
    validation and test sets are centred with the training mean.
    """

    batchable = True
    fresh_output = True

    def __init__(self, mean, per_channel: bool = False):
        mean = np.asarray(mean, dtype=np.float32)
        if per_channel and mean.ndim != 1:
            raise ValueError(f"mean: per_channel=True expects shape [C], got {mean.shape}")
        self.mean = np.ascontiguousarray(mean)
        self.per_channel = per_channel

    @classmethod
    def fit(cls, source, per_channel: bool = False, batch_size: int = 1000) -> "CenterMean":
        """The mean of source's samples: an array [N, ...] of samples as the
        transform will see them, or a data set (its samples after its own
        transform, read through get_batch when it has one)."""
        total, count = None, 0
        for chunk in _sample_chunks(source, batch_size):
            chunk = np.asarray(chunk)
            if per_channel:
                if chunk.ndim < 3:
                    raise ValueError(f"CenterMean.fit: per_channel needs samples [C, H, W], "
                                     f"got samples of shape {chunk.shape[1:]}")
                part = chunk.sum(axis=tuple(i for i in range(chunk.ndim) if i != 1), dtype=np.float64)
                n = chunk.size // chunk.shape[1]
            else:
                part, n = chunk.sum(axis=0, dtype=np.float64), chunk.shape[0]
            total = part if total is None else total + part
            count += n
        if not count:
            raise ValueError("CenterMean.fit: source has no samples")
        return cls(total / count, per_channel=per_channel)

    def _mean_for(self, x: np.ndarray) -> np.ndarray:
        if self.per_channel:
            x4, _ = image_batch(x, "CenterMean")
            if x4.shape[1] != self.mean.size:
                raise ValueError(f"CenterMean: the mean has {self.mean.size} channels, "
                                 f"the input has {x4.shape[1]}")
            return self.mean.reshape(-1, 1, 1)
        if x.shape != self.mean.shape and x.shape[1:] != self.mean.shape:
            raise ValueError(f"CenterMean: expected a sample of shape {self.mean.shape} or a batch "
                             f"[B, {', '.join(map(str, self.mean.shape))}], got shape {x.shape}")
        return self.mean

    def __call__(self, x) -> np.ndarray:
        x = _as_array(x)
        return np.subtract(x, self._mean_for(x), dtype=np.float32)

    def apply_(self, x: np.ndarray) -> np.ndarray:
        """Subtract the mean from x (a writable float array) in place."""
        return np.subtract(x, self._mean_for(x), out=x)

    def __repr__(self) -> str:
        what = "per_channel=True" if self.per_channel else f"shape={self.mean.shape}"
        return f"{type(self).__name__}({what})"


def _sample_chunks(source, batch_size: int) -> Iterable[np.ndarray]:
    if not (hasattr(source, "__len__") and hasattr(source, "__getitem__")) \
            or isinstance(source, (np.ndarray, Tensor, list, tuple)):
        try:
            array = np.asarray(source)
        except Exception as e:  # noqa: BLE001
            raise TypeError(f"source: expected an array [N, ...] or a data set, "
                            f"got {type(source).__name__}") from e
        if array.ndim < 1 or not (np.issubdtype(array.dtype, np.number)):
            raise TypeError(f"source: expected a numeric array [N, ...] or a data set, "
                            f"got {type(source).__name__} of dtype {array.dtype}")
        yield array
        return
    n = len(source)
    get_batch = getattr(source, "get_batch", None)
    for start in range(0, n, batch_size):
        idx = np.arange(start, min(n, start + batch_size))
        if get_batch is not None:
            yield np.asarray(get_batch(idx)[0])
        else:
            yield np.stack([np.asarray(source[int(i)][0]) for i in idx])


class PixelPermutation:
    """Shuffle the H*W pixel positions of every image with one fixed
    permutation (the same for every image and channel): the decks'
    permutation experiment. out[c].flat[j] = x[c].flat[perm[j]].

    seed: the permutation for an image of n = H*W pixels is
    ``np.random.default_rng(seed).permutation(n)``, so train and test
    transforms built with the same seed agree. permutation: give the
    permutation of range(H*W) itself instead.
    """

    batchable = True
    fresh_output = True

    def __init__(self, seed: int = 0, permutation=None):
        self.seed = seed
        self._fixed = None
        if permutation is not None:
            perm = np.asarray(permutation)
            if (perm.ndim != 1 or not np.issubdtype(perm.dtype, np.integer)
                    or not np.array_equal(np.sort(perm), np.arange(perm.size))):
                raise ValueError("permutation: expected a permutation of range(H*W) "
                                 "(each of 0..H*W-1 exactly once)")
            self._fixed = perm.astype(np.intp)
        self._cache = {}

    def permutation(self, n: int) -> np.ndarray:
        """The permutation used for images of n = H*W pixels."""
        if self._fixed is not None:
            if self._fixed.size != n:
                raise ValueError(f"PixelPermutation: the permutation has {self._fixed.size} "
                                 f"entries, the image has {n} pixels")
            return self._fixed
        if n not in self._cache:
            self._cache[n] = np.random.default_rng(self.seed).permutation(n).astype(np.intp)
        return self._cache[n]

    def __call__(self, x) -> np.ndarray:
        x4, single = image_batch(x, "PixelPermutation")
        b, c, h, w = x4.shape
        perm = self.permutation(h * w)
        out = np.take(x4.reshape(b, c, h * w), perm, axis=2).reshape(b, c, h, w)
        return out[0] if single else out

    def __repr__(self) -> str:
        src = "permutation=..." if self._fixed is not None else f"seed={self.seed}"
        return f"{type(self).__name__}({src})"


class Flatten:
    """An image [C, H, W] -> a vector [C*H*W]; a batch [B, C, H, W] -> [B, C*H*W]
    (for linear classifiers and fully connected nets)."""

    batchable = True

    def __call__(self, x) -> np.ndarray:
        x4, single = image_batch(x, "Flatten")
        out = np.ascontiguousarray(x4).reshape(x4.shape[0], -1)
        return out[0] if single else out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
