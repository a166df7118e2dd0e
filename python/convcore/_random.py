"""convcore's random stream (cpp/src/runtime/random.cpp): seeding for dropout."""
from __future__ import annotations

from . import _C


def manual_seed(seed: int) -> None:
    """Seed convcore's random stream, as torch.manual_seed.

    seed: an int in [-2**63, 2**64); negative seeds wrap to 2**64 + seed.
    The same seed and the same sequence of calls give the same dropout
    masks, whatever the thread count.
    """
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
    seed = seed.__index__()
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"seed: must be in [-2**63, 2**64), got {seed}")
    _C.manual_seed(seed % 2**64)


def initial_seed() -> int:
    """The seed the random stream was last seeded with (0 by default)."""
    return _C.initial_seed()
