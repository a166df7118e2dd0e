"""Constructor-argument checks shared by the layers: each raises a TypeError or
ValueError that names the argument, so a bad layer fails when it is built
rather than on its first batch."""
from __future__ import annotations

import numbers
from typing import Tuple

import numpy as np


def is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value, name: str, minimum: int = 0) -> int:
    """An int >= minimum."""
    if not is_int(value):
        raise TypeError(f"{name}: expected an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def check_real(value, name: str, minimum=None, maximum=None) -> float:
    """A real number in [minimum, maximum] (bounds optional)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number, got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "-inf" if minimum is None else minimum
        hi = "inf" if maximum is None else maximum
        raise ValueError(f"{name}: expected a number in [{lo}, {hi}], got {value}")
    return float(value)


def check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {value!r}")
    return bool(value)


def ntuple(value, n: int, name: str, minimum: int = 0) -> Tuple[int, ...]:
    """An int repeated n times, or a sequence of n ints; each >= minimum."""
    what = "an int" if n == 1 else f"an int or a tuple of {n} ints"
    if is_int(value):
        items = (int(value),) * n
    else:
        if isinstance(value, (str, bytes, bool)) or not hasattr(value, "__iter__"):
            raise TypeError(f"{name}: expected {what}, got {value!r}")
        items = tuple(value)
        if len(items) != n or not all(is_int(v) for v in items):
            raise ValueError(f"{name}: expected {what}, got {value!r}")
        items = tuple(int(v) for v in items)
    if any(v < minimum for v in items):
        raise ValueError(f"{name}: expected values >= {minimum}, got {value!r}")
    return items


def check_reduction(reduction) -> str:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction: expected 'none', 'mean' or 'sum', got {reduction!r}")
    return reduction


def check_device_dtype(device, dtype) -> None:
    """torch's factory arguments: accepted when they name the CPU and float32."""
    if device is not None and not str(device).startswith("cpu"):
        raise ValueError(f"device: convcore runs on the CPU only, got {device!r}")
    if dtype is not None and "float32" not in str(getattr(dtype, "name", dtype)):
        raise TypeError(f"dtype: convcore computes in float32 only, got {dtype!r}")
