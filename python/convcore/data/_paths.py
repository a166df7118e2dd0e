"""Where data sets and caches live by default, and finding a data set's files
under a user's root directory.

Leaves out: downloading (download.py) and reading any format.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]


def default_data_dir() -> Path:
    """The data directory used when a data set gets ``root=None``:
    ``$CONVCORE_DATA`` if set, else ``~/.cache/convcore/data``."""
    env = os.environ.get("CONVCORE_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "convcore" / "data"


def default_cache_dir() -> Path:
    """Where decoded data sets are cached when their own directory is not
    writable: ``$CONVCORE_CACHE`` if set, else ``~/.cache/convcore``."""
    env = os.environ.get("CONVCORE_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "convcore"


def resolve_root(root: Optional[PathLike]) -> Path:
    """root as a Path; None means default_data_dir()."""
    if root is None:
        return default_data_dir()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root: expected a path (str or os.PathLike) or None, "
                        f"got {type(root).__name__}")
    return Path(root).expanduser()


def candidate_dirs(root: Path, folder_names: Iterable[str]) -> List[Path]:
    """The directories a data set looks in: root itself, then root/<name> for
    each of its usual folder names (shared/data keeps MNIST in ``mnist/``,
    torchvision in ``MNIST/raw/``)."""
    return [root] + [root / name for name in folder_names]


def is_writable_dir(path: Path) -> bool:
    """Whether files can be created in path (creating it if missing)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)
