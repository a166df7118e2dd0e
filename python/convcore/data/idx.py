"""Reader for the IDX format of MNIST and Fashion-MNIST, plain or gzipped.

An IDX file is: two zero bytes, a type code (0x08 ubyte, 0x09 byte, 0x0B
int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions,
each dimension as a big-endian uint32, then the values big-endian in C order.
Every way a file can be wrong (not gzip when named .gz, a damaged gzip
stream, a bad magic, a size that does not match its header) is a ValueError
naming the file.

Leaves out: writing IDX (tests write their own), memory mapping.
"""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from ._paths import PathLike

_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes_maybe_gzip(path: PathLike) -> bytes:
    """A file's bytes, gunzipped when it starts with the gzip magic (or is
    named .gz). A damaged or truncated gzip stream is a ValueError naming the
    file; a missing file is FileNotFoundError."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] != _GZIP_MAGIC:
        if path.suffix == ".gz":
            raise ValueError(f"{path}: named .gz but is not a gzip file "
                             f"(starts with {raw[:4]!r}, expected 1f 8b)")
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: corrupt or truncated gzip file ({e}); "
                         f"delete it and download it again") from e


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """An IDX file's contents as a native-endian array; name is used in errors."""
    if len(data) < 4:
        raise ValueError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    if data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise ValueError(f"{name}: not an IDX file (magic bytes {data[:4].hex(' ')}; "
                         f"expected 00 00 <type code 08/09/0b/0c/0d/0e> <ndim>)")
    dtype, ndim = _DTYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated IDX header: {ndim} dimensions need "
                         f"{header} bytes, the file has {len(data)}")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found < expected:
        raise ValueError(f"{name}: truncated: header says shape {shape} of {dtype.name} "
                         f"({expected} bytes of data), the file has {found}")
    if found > expected:
        raise ValueError(f"{name}: {found - expected} bytes after the data that its header "
                         f"(shape {shape}) does not account for")
    # a copy: writable, native-endian, and not pinning the file's bytes
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (plain or .gz) into a writable native-endian array."""
    return parse_idx(read_bytes_maybe_gzip(path), str(path))
