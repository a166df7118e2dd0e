"""Downloading data set files from their public mirrors, with an md5 check and
an atomic rename, and unpacking tar archives safely.

A file is written to ``<name>.part`` next to its destination and renamed into
place only once its md5 matches, so an interrupted or corrupt download never
leaves a file that looks complete. Network access goes through
``urllib.request.urlopen`` (tests replace it with monkeypatch).

Leaves out: resuming partial downloads, proxies and authentication beyond
what urllib's defaults do, and formats other than (gzipped) tar.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

from ._paths import PathLike

_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """A download failed on every mirror, or its md5 did not match."""


def md5_of(path: PathLike) -> str:
    """The hex md5 digest of a file's bytes."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(path: PathLike, md5: str) -> bool:
    """Whether the file exists and its md5 equals md5 (hex, any case)."""
    return Path(path).is_file() and md5_of(path) == md5.lower()


def download_url(url: str, root: PathLike, filename: Optional[str] = None,
                 md5: Optional[str] = None, timeout: float = 60.0,
                 quiet: bool = False) -> Path:
    """Download url into root/filename (default: the url's last part).

    If the file is already there with the right md5 nothing is fetched. The
    bytes go to a ``.part`` file that is checked against md5 and then renamed
    into place. Raises DownloadError when the md5 does not match (the bad
    bytes are deleted) and lets urllib's errors (URLError, HTTPError,
    OSError) through.
    """
    root = Path(root)
    filename = filename or url.rstrip("/").rsplit("/", 1)[-1]
    dest = root / filename
    if md5 is not None and check_md5(dest, md5):
        return dest
    root.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if not quiet:
        print(f"convcore: downloading {url} -> {dest}", file=sys.stderr)
    digest = hashlib.md5()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
        if md5 is not None and digest.hexdigest() != md5.lower():
            raise DownloadError(
                f"md5 mismatch for {url}: expected {md5.lower()}, got {digest.hexdigest()}; "
                f"the download is corrupt or the mirror serves a different file, "
                f"so it was not kept")
        os.replace(part, dest)
    finally:
        if part.exists():
            part.unlink()
    return dest


def download_from_mirrors(mirrors: Sequence[str], filename: str, root: PathLike,
                          md5: Optional[str] = None, timeout: float = 60.0) -> Path:
    """Try mirror + filename for each mirror in turn; the first that delivers a
    file with the right md5 wins. Raises DownloadError listing every
    mirror's failure when none does."""
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            return download_url(url, root, filename, md5=md5, timeout=timeout)
        except (DownloadError, urllib.error.URLError, OSError) as e:
            failures.append(f"  {url}: {e}")
    raise DownloadError(f"could not download {filename} into {root}:\n" + "\n".join(failures))


def extract_tar(archive: PathLike, dest: PathLike) -> Path:
    """Unpack a (gzipped) tar into dest, refusing members that would land
    outside dest (absolute paths, '..', links out of the tree).
    Raises ValueError naming the archive when it is corrupt or truncated."""
    archive, dest = Path(archive), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):  # Python 3.12, and 3.8-3.11 security releases
                tar.extractall(dest, filter="data")
            else:
                _extract_checked(tar, dest)
    except (tarfile.TarError, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError) and not archive.exists():
            raise
        raise ValueError(f"{archive}: not a readable tar archive (corrupt or truncated): {e}") from e
    return dest


def _extract_checked(tar: tarfile.TarFile, dest: Path) -> None:
    base = dest.resolve()
    for member in tar:
        target = (base / member.name).resolve()
        if base != target and base not in target.parents:
            raise ValueError(f"tar member {member.name!r} would be written outside {dest}")
        if member.issym() or member.islnk():
            raise ValueError(f"tar member {member.name!r} is a link; refusing to extract it")
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
