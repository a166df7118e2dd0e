"""Argument parsing shared by the functional ops: PyTorch's int-or-tuple forms."""
from __future__ import annotations

from typing import Sequence, Tuple, Union

IntOrPair = Union[int, Sequence[int]]
Padding2d = Union[int, str, Sequence[int]]


def _pair(value: IntOrPair, name: str) -> Tuple[int, int]:
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        return (value, value)
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f"{name}: expected an int or a pair of ints, got {value!r}") from None
    if len(items) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ValueError(f"{name}: expected an int or a pair of ints, got {value!r}")
    return items  # type: ignore[return-value]


def _conv2d_padding(padding: Padding2d) -> Tuple[Tuple[int, int, int, int], bool]:
    """(left, right, top, bottom), same? from PyTorch's padding forms plus per-side tuples."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0), False
        if padding == "same":
            return (0, 0, 0, 0), True
        raise ValueError(f"padding: expected 'valid', 'same', an int, a pair or "
                         f"(left, right, top, bottom), got {padding!r}")
    if not isinstance(padding, int) and len(tuple(padding)) == 4:
        items = tuple(padding)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            raise ValueError(f"padding: expected ints, got {padding!r}")
        return items, False  # type: ignore[return-value]
    ph, pw = _pair(padding, "padding")
    return (pw, pw, ph, ph), False


def _no_inplace(inplace: bool) -> None:
    """PyTorch's inplace=True: refused (convcore ops always return a new tensor)."""
    if inplace:
        raise ValueError("inplace: in-place operations are not supported; use the returned tensor")
