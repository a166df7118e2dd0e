"""cat for the zoo's channel joins (Inception's branches, DenseNet's growing stack).

convcore.functional.cat is used when the package has it (the C++ op: each
piece copied once into its slice, each gradient a slice); otherwise this
file joins pieces from existing differentiable ops: each piece, viewed as
[1, A, c_i, B] (A the dims before `dim`, B those after), is zero-padded
along dim 2 to the total length at its offset, and the padded pieces are
added. That costs k full-size temporaries and k - 1 additions for k pieces,
and its backward runs through pad and add. What it leaves out: checks
beyond the shapes (the models call it with well-formed tensors).
"""
from __future__ import annotations

from typing import Sequence

from .. import _C
from .. import functional as F


def _cat_by_padding(tensors: Sequence, dim: int):
    pieces = list(tensors)
    first = tuple(pieces[0].shape)
    dim %= len(first)
    for i, piece in enumerate(pieces[1:], 1):
        shape = tuple(piece.shape)
        if len(shape) != len(first) or shape[:dim] != first[:dim] or \
                shape[dim + 1:] != first[dim + 1:]:
            raise ValueError(f"tensors[{i}]: shape {shape} does not match tensors[0]'s "
                             f"{first} outside dim {dim}")
    before = 1
    for size in first[:dim]:
        before *= size
    after = 1
    for size in first[dim + 1:]:
        after *= size
    total = sum(int(p.shape[dim]) for p in pieces)
    result, offset = None, 0
    for piece in pieces:
        length = int(piece.shape[dim])
        # pad2d's (left, right, top, bottom) pads dims 3 and 2 of [1, A, c_i, B]
        padded = _C.pad2d(_C.reshape(piece, [1, before, length, after]),
                          (0, 0, offset, total - offset - length), "constant", 0.0)
        result = padded if result is None else _C.add(result, padded)
        offset += length
    return _C.reshape(result, first[:dim] + (total,) + first[dim + 1:])


def cat(tensors: Sequence, dim: int = 0):
    """torch.cat for Tensors [..., c_i, ...] equal outside dim -> [..., sum c_i, ...]."""
    joined = getattr(F, "cat", None)
    if joined is not None:
        return joined(tensors, dim)
    if not tensors:
        raise ValueError("tensors: expected a non-empty list of Tensors")
    return tensors[0] if len(tensors) == 1 else _cat_by_padding(tensors, dim)
