"""CIFAR-10 as an image folder of JPEGs (train/<class>/NNNN.jpg,
test/<class>/NNNN.jpg), read from its .tar.gz or its extracted folder,
decoded once and cached as an .npz.

Decoding 60,000 32x32 JPEGs through PIL's usual Image.open costs ~250 us
each, mostly Python parsing the JPEG markers; reading the size from the
frame header ourselves and handing the bytes straight to PIL's JPEG decoder
(Image.frombytes) costs about a third of that, and a few threads overlap
the decoding itself (PIL releases the GIL). Anything unusual falls back to
Image.open. The cache is keyed by the md5 of the archive (or by the folder's
file list, sizes and times), so a changed source is never served stale.

Leaves out: other data sets in this layout (ImageFolder reads those).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ._paths import default_cache_dir, is_writable_dir
from ._tar import iter_tar_files
from .idx import read_bytes_maybe_gzip

SPLITS = ("train", "test")
_SUFFIXES = (".jpg", ".jpeg", ".png")
_SOF = (0xC0, 0xC1, 0xC2)  # baseline, extended, progressive frame headers


def _jpeg_frame(blob) -> Optional[Tuple[int, int, int]]:
    """(height, width, components) from a JPEG's frame header, or None."""
    if len(blob) < 4 or blob[0] != 0xFF or blob[1] != 0xD8:
        return None
    pos = 2
    while pos + 9 < len(blob):
        if blob[pos] != 0xFF:
            return None
        marker = blob[pos + 1]
        if marker in _SOF:
            return ((blob[pos + 5] << 8) | blob[pos + 6], (blob[pos + 7] << 8) | blob[pos + 8],
                    blob[pos + 9])
        if marker == 0xDA:  # start of scan before any frame header
            return None
        pos += 2 + ((blob[pos + 2] << 8) | blob[pos + 3])
    return None


def decode_rgb(blob, what: str) -> np.ndarray:
    """JPEG/PNG bytes -> uint8 [H, W, 3]; ValueError naming `what` if it cannot."""
    from PIL import Image  # Pillow is needed only for the image formats

    frame = _jpeg_frame(blob)
    if frame is not None and frame[2] == 3:
        try:
            h, w, _ = frame
            image = Image.frombytes("RGB", (w, h), bytes(blob), "jpeg", "RGB", "")
            return np.frombuffer(image.tobytes(), np.uint8).reshape(h, w, 3)
        except Exception:  # noqa: BLE001 - fall back to the general path below
            pass
    try:
        with Image.open(io.BytesIO(bytes(blob))) as image:
            return np.asarray(image.convert("RGB"))
    except Exception as e:  # noqa: BLE001 - PIL raises many types for bad data
        raise ValueError(f"{what}: cannot decode the image ({type(e).__name__}: {e})") from e


def _sort_key(split: str, class_idx: int, path: str):
    return (SPLITS.index(split), class_idx, path)


def _classify(path: str, classes: Sequence[str], where: str):
    """(split, class index) of a member path like [top/]train/cat/0001.jpg, or
    None for files that are not images of the layout."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if len(parts) < 3 or parts[-3] not in SPLITS or not parts[-1].lower().endswith(_SUFFIXES):
        return None
    if parts[-2] not in classes:
        raise ValueError(f"{where}: unexpected class folder {parts[-2]!r} in {path!r}; "
                         f"expected one of {list(classes)}")
    return parts[-3], classes.index(parts[-2])


def _decode_all(items: List[tuple], where: str) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """items: (split, class index, path, bytes) -> {split: (uint8 [N, 32, 32, 3], int64 [N])}."""
    items.sort(key=lambda it: _sort_key(it[0], it[1], it[2]))
    images = np.empty((len(items), 32, 32, 3), np.uint8)

    def work(lo_hi):
        for k in range(*lo_hi):
            split, _, path, blob = items[k]
            image = decode_rgb(blob, f"{where}: {path}")
            if image.shape != (32, 32, 3):
                raise ValueError(f"{where}: {path}: expected a 32x32 RGB image, "
                                 f"got shape {image.shape}")
            images[k] = image

    workers = max(1, min(8, os.cpu_count() or 1))
    step = -(-len(items) // (4 * workers)) or 1
    chunks = [(lo, min(len(items), lo + step)) for lo in range(0, len(items), step)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, chunks))
    out = {}
    for split in SPLITS:
        rows = np.array([k for k, it in enumerate(items) if it[0] == split], dtype=np.intp)
        labels = np.array([items[k][1] for k in rows], dtype=np.int64)
        out[split] = (images[rows], labels)
    return out


def decode_archive(path: Path, classes: Sequence[str]):
    """Decode every image of a CIFAR-10 image-folder tar(.gz)."""
    data = read_bytes_maybe_gzip(path)
    items = []
    for member, blob in iter_tar_files(data, str(path)):
        where = _classify(member, classes, str(path))
        if where is not None:
            items.append((where[0], where[1], member, blob))
    _require_both_splits(items, path)
    return _decode_all(items, str(path))


def decode_folder(folder: Path, classes: Sequence[str]):
    """Decode every image of an extracted CIFAR-10 image folder."""
    items = []
    for split in SPLITS:
        for file in sorted((folder / split).rglob("*")):
            if file.is_file():
                rel = file.relative_to(folder).as_posix()
                where = _classify(rel, classes, str(folder))
                if where is not None:
                    items.append((where[0], where[1], rel, file.read_bytes()))
    _require_both_splits(items, folder)
    return _decode_all(items, str(folder))


def _require_both_splits(items, source) -> None:
    for split in SPLITS:
        if not any(it[0] == split for it in items):
            raise ValueError(f"{source}: no images under {split}/<class>/ "
                             f"(expected the layout train/<class>/NNNN.jpg, test/<class>/NNNN.jpg)")


def source_key(source: Path) -> str:
    """A digest of the source's contents (archive) or listing (folder)."""
    digest = hashlib.md5()
    if source.is_file():
        with open(source, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    else:
        for split in SPLITS:
            for file in sorted((source / split).rglob("*")):
                st = file.stat()
                digest.update(f"{file.relative_to(source).as_posix()} {st.st_size} "
                              f"{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def cache_dirs(source: Path, cache_dir: Optional[Path]) -> List[Path]:
    """Where the cache is looked for, in order; the first writable one gets it."""
    if cache_dir is not None:
        return [Path(cache_dir)]
    dirs = [source.parent if source.is_file() else source, default_cache_dir()]
    if os.environ.get("CONVCORE_CACHE"):
        dirs.reverse()
    return dirs


def load_cached(source: Path, classes: Sequence[str], split: str,
                cache_dir: Optional[Path] = None) -> Tuple[np.ndarray, np.ndarray]:
    """(uint8 [N, 32, 32, 3], int64 [N]) of one split, from the cache if it is
    there and intact, else decoded from source and then cached."""
    name = f"cifar10-jpg-{source_key(source)}.npz"
    dirs = cache_dirs(source, cache_dir)
    for d in dirs:
        if (d / name).is_file():
            try:
                with np.load(d / name) as z:
                    data, targets = z[f"{split}_data"], z[f"{split}_targets"]
                if data.ndim == 4 and data.shape[1:] == (32, 32, 3) and len(data) == len(targets):
                    return data, targets.astype(np.int64)
            except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, not fatal
                pass
    decoded = decode_archive(source, classes) if source.is_file() else decode_folder(source, classes)
    for d in dirs:
        if is_writable_dir(d):
            _save_atomic(d / name, decoded)
            break
    return decoded[split]


def _save_atomic(path: Path, decoded) -> None:
    arrays = {}
    for split, (data, targets) in decoded.items():
        arrays[f"{split}_data"], arrays[f"{split}_targets"] = data, targets
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide a shared cache
        os.replace(tmp, path)
    except OSError:
        pass  # no room or no permission: run without a cache
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
