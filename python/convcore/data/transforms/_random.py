"""Random augmentation: RandomCrop (with padding) and RandomHorizontalFlip, and
the rule that decides which random numbers they draw.

Outside a DataLoader a random transform draws from its own NumPy Generator,
seeded when it is built (seed=None: from convcore.initial_seed() and the
order in which unseeded transforms are built) and advanced by every call, so
results are reproducible for a given seed and call order. Inside a
DataLoader batch it draws instead from a stream seeded by (the loader's
seed, the epoch, the batch number, the transform's own seed), so the
augmentations do not depend on num_workers or on which thread makes a
batch, and a run resumed at any batch gets the same ones.

Every sample takes its numbers from ``Generator.random`` (one float64, one
64-bit draw, per number), so transforming a batch draws exactly what
transforming its samples one after the other would: batch and per-sample
paths give the same images.

Leaves out: RandomResizedCrop, vertical flips, colour and affine jitter.
"""
from __future__ import annotations

import contextlib
import itertools
import numbers
import threading
from typing import Iterator, Optional, Sequence, Tuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..._random import initial_seed
from ._basic import image_batch

_state = threading.local()
_unseeded = itertools.count()
_UNSEEDED_TAG = 0x636F6E76  # keeps unseeded streams apart from any user seed


def _seed_words(seed: Optional[int]) -> Tuple[int, ...]:
    if seed is None:
        return (initial_seed(), next(_unseeded), _UNSEEDED_TAG)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed: expected an int or None, got {type(seed).__name__}")
    return (int(seed) % 2**64,)


class _BatchStreams:
    """The generators of the random transforms for one loader batch."""

    def __init__(self, words: Tuple[int, ...]):
        self.words = words
        self.generators = {}

    def generator_for(self, transform) -> np.random.Generator:
        g = self.generators.get(id(transform))
        if g is None:
            g = np.random.default_rng(list(self.words) + list(transform.seed_words))
            self.generators[id(transform)] = g
        return g


@contextlib.contextmanager
def batch_random_stream(*words: int) -> Iterator[None]:
    """Within this block (on this thread), random transforms draw from streams
    seeded by words plus their own seed. The DataLoader wraps the making of
    each batch in it with (seed, epoch, batch index)."""
    previous = getattr(_state, "streams", None)
    _state.streams = _BatchStreams(tuple(int(w) % 2**64 for w in words))
    try:
        yield
    finally:
        _state.streams = previous


class RandomTransform:
    """Base of the random transforms: owns the generator rule above."""

    batchable = True
    fresh_output = False

    def __init__(self, seed: Optional[int] = None):
        self.seed_words = _seed_words(seed)
        self.seed = seed
        self._own = np.random.default_rng(list(self.seed_words))

    def generator(self) -> np.random.Generator:
        streams = getattr(_state, "streams", None)
        return self._own if streams is None else streams.generator_for(self)


def _padding4(padding) -> Tuple[int, int, int, int]:
    """torchvision's padding forms -> (left, top, right, bottom)."""
    if padding is None:
        return (0, 0, 0, 0)
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        p = (int(padding),) * 4
    elif isinstance(padding, Sequence) and len(padding) in (2, 4) and \
            all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in padding):
        p = tuple(int(v) for v in padding)
        if len(p) == 2:
            p = (p[0], p[1], p[0], p[1])
    else:
        raise ValueError(f"padding: expected an int or a sequence of 2 or 4 ints, got {padding!r}")
    if min(p) < 0:
        raise ValueError(f"padding: must be non-negative, got {padding!r}")
    return p


def _size2(size) -> Tuple[int, int]:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (int(size), int(size))
    elif isinstance(size, Sequence) and len(size) in (1, 2) and \
            all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in size):
        size = (int(size[0]), int(size[-1]))
    else:
        raise ValueError(f"size: expected an int or a sequence (h, w), got {size!r}")
    if min(size) <= 0:
        raise ValueError(f"size: must be positive, got {size!r}")
    return size


_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}


class RandomCrop(RandomTransform):
    """Pad, then crop a random size window, as torchvision.transforms.RandomCrop.

    x: [C, H, W] or [B, C, H, W] (each sample of a batch gets its own window).
    size: int or (h, w). padding: int (all sides), (left/right, top/bottom)
    or (left, top, right, bottom). pad_if_needed: pad images smaller than
    size. fill: the constant for padding_mode='constant'; padding_mode:
    'constant', 'edge', 'reflect' or 'symmetric'. The window's top-left
    corner in the padded image is (floor(u*(Hp-h+1)), floor(v*(Wp-w+1))) for
    two uniform draws u, v per sample.
    """

    fresh_output = True

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant", seed: Optional[int] = None):
        super().__init__(seed)
        self.size = _size2(size)
        self.padding = padding
        self._pad = _padding4(padding)
        self.pad_if_needed = pad_if_needed
        if not isinstance(fill, numbers.Real):
            raise TypeError(f"fill: expected a number, got {type(fill).__name__}")
        self.fill = fill
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"padding_mode: expected one of {sorted(_PAD_MODES)}, "
                             f"got {padding_mode!r}")
        self.padding_mode = padding_mode
        self._scratch = threading.local()

    def __getstate__(self):  # the per-thread scratch buffers are not state
        state = dict(self.__dict__)
        del state["_scratch"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._scratch = threading.local()

    def _padded(self, x4: np.ndarray) -> np.ndarray:
        left, top, right, bottom = self._pad
        h, w = self.size
        if self.pad_if_needed:
            # as torchvision: grow both sides by the shortfall
            dh = max(0, h - (x4.shape[2] + top + bottom))
            dw = max(0, w - (x4.shape[3] + left + right))
            top, bottom, left, right = top + dh, bottom + dh, left + dw, right + dw
        if not (left or top or right or bottom):
            return x4
        if self.padding_mode == "constant":
            # Reuse one padded buffer per thread: its border keeps the fill and only
            # the inside is rewritten. np.pad, or a fresh buffer per batch, costs
            # several times the crop itself (a fresh multi-MB buffer is page-faulted
            # in 4 KiB at a time).
            b, c, h0, w0 = x4.shape
            shape = (b, c, h0 + top + bottom, w0 + left + right)
            key = (shape, x4.dtype.str)
            cache = self._scratch.__dict__
            padded = cache.get(key)
            if padded is None:
                cache.clear()
                padded = cache[key] = np.full(shape, self.fill, dtype=x4.dtype)
            padded[:, :, top:top + h0, left:left + w0] = x4
            return padded
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        return np.pad(x4, widths, mode=_PAD_MODES[self.padding_mode])

    def _windows(self, x4: np.ndarray):
        """(padded images, window tops, window lefts) for a batch x4 [B, C, H, W]."""
        padded = self._padded(x4)
        b, _, hp, wp = padded.shape
        h, w = self.size
        if hp < h or wp < w:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the (padded) "
                             f"image {(hp, wp)}; use a padding or pad_if_needed=True")
        u = self.generator().random((b, 2))
        tops = np.minimum((u[:, 0] * (hp - h + 1)).astype(np.intp), hp - h)
        lefts = np.minimum((u[:, 1] * (wp - w + 1)).astype(np.intp), wp - w)
        return padded, tops, lefts

    def __call__(self, x) -> np.ndarray:
        x4, single = image_batch(x, "RandomCrop")
        padded, tops, lefts = self._windows(x4)
        # every window of the padded images as a view [B, C, Hp-h+1, Wp-w+1, h, w];
        # one gather copies out each sample's window (a new array, never the scratch)
        windows = sliding_window_view(padded, self.size, axis=(2, 3))
        out = windows[np.arange(len(padded)), :, tops, lefts]
        return out[0] if single else out

    def apply_(self, x: np.ndarray) -> np.ndarray:
        """Crop x in place when the crop keeps its size (the usual pad-and-crop);
        otherwise return a new array."""
        x4, _ = image_batch(x, "RandomCrop")
        if x4.shape[2:] != self.size:
            return self(x)
        padded, tops, lefts = self._windows(x4)
        h, w = self.size
        for i in range(len(x4)):
            x4[i] = padded[i, :, tops[i]:tops[i] + h, lefts[i]:lefts[i] + w]
        return x

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, padding={self.padding}, "
                f"padding_mode={self.padding_mode!r})")


class RandomHorizontalFlip(RandomTransform):
    """Mirror left-right with probability p, as torchvision's. x: [C, H, W] or
    [B, C, H, W] (each sample of a batch is flipped or not on its own draw)."""

    def __init__(self, p: float = 0.5, seed: Optional[int] = None):
        super().__init__(seed)
        if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"p: expected a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def __call__(self, x) -> np.ndarray:
        x4, single = image_batch(x, "RandomHorizontalFlip")
        flip = self.generator().random(x4.shape[0]) < self.p
        if single:
            return np.ascontiguousarray(x4[0, :, :, ::-1]) if flip[0] else np.asarray(x)
        out = np.empty(x4.shape, x4.dtype)
        for i in range(len(out)):  # one copy per sample beats masked gathers here
            out[i] = x4[i, :, :, ::-1] if flip[i] else x4[i]
        return out

    def apply_(self, x: np.ndarray) -> np.ndarray:
        """Flip x's samples in place."""
        x4, _ = image_batch(x, "RandomHorizontalFlip")
        flip = self.generator().random(x4.shape[0]) < self.p
        for i in np.flatnonzero(flip):
            x4[i] = x4[i, :, :, ::-1].copy()
        return x

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"
