"""convcore's random streams: the C++ stream (cpp/src/runtime/random.cpp) that
dropout draws from, and a NumPy Generator that weight initialisation
(convcore.nn.init) draws from. manual_seed reseeds both, so seeding and then
building a model gives the same weights every time."""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import _C

_numpy_generator: Optional[np.random.Generator] = None


def manual_seed(seed: int) -> None:
    """Seed convcore's random streams, as torch.manual_seed.

    seed: an int in [-2**63, 2**64); negative seeds wrap to 2**64 + seed.
    The same seed and the same sequence of calls give the same dropout
    masks, whatever the thread count, and the same initial weights.
    """
    global _numpy_generator
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
    seed = seed.__index__()
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"seed: must be in [-2**63, 2**64), got {seed}")
    _C.manual_seed(seed % 2**64)
    _numpy_generator = None  # rebuilt from the new seed on next use


def initial_seed() -> int:
    """The seed the random stream was last seeded with (0 by default)."""
    return _C.initial_seed()


def numpy_generator() -> np.random.Generator:
    """The NumPy Generator for weight initialisation: seeded with initial_seed()
    when first used after start-up or after manual_seed, then drawn from in turn."""
    global _numpy_generator
    if _numpy_generator is None:
        _numpy_generator = np.random.default_rng(initial_seed())
    return _numpy_generator
