"""ImageFolder: a data set of images sorted into one sub-folder per class,
as torchvision.datasets.ImageFolder (root/<class>/**/<image>).

Classes are the sub-folder names in sorted order; samples are every file
with an image extension under them, in torchvision's order. Images are
decoded with Pillow when read, to uint8 [H, W, C] (C = 3 for mode 'RGB',
1 for 'L', 4 for 'RGBA'), which is what the transform gets; transform=None
means ToTensor(), giving float32 [C, H, W] in [0, 1].

Leaves out: a custom loader or is_valid_file (filter the samples list),
an in-memory fast path (the DataLoader reads the files one by one, in
background threads with num_workers > 0).
"""
from __future__ import annotations

import copy

import os
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from ._paths import PathLike
from .dataset import Dataset, _index
from .transforms import ToTensor

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
_MODES = ("RGB", "L", "RGBA")


def load_image(path: PathLike, mode: str = "RGB") -> np.ndarray:
    """An image file -> uint8 [H, W, C] in the given PIL mode; ValueError
    naming the file when Pillow cannot read it."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is a dependency
        raise ImportError("reading image files needs Pillow: pip install pillow") from e
    try:
        with Image.open(path) as image:
            array = np.asarray(image.convert(mode))
    except FileNotFoundError:
        raise
    except Exception as e:  # noqa: BLE001 - PIL raises many types for bad data
        raise ValueError(f"{path}: cannot decode the image ({type(e).__name__}: {e})") from e
    return array[..., None] if array.ndim == 2 else array


class ImageFolder(Dataset):
    """Images in root/<class>/..., labelled by their class folder.

    extensions: the file suffixes that count as images (case-insensitive;
    default IMG_EXTENSIONS). mode: 'RGB' (default), 'L' (grayscale) or
    'RGBA'. allow_empty: accept class folders without images. Attributes as
    torchvision: classes, class_to_idx, samples [(path, class index)], imgs
    (the same list), targets (int64 [N]).
    """

    def __init__(self, root: PathLike, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None,
                 extensions: Optional[Sequence[str]] = None, mode: str = "RGB",
                 allow_empty: bool = False):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise FileNotFoundError(f"ImageFolder: {self.root} is not a directory (expected "
                                    f"root/<class>/<image> folders)")
        if mode not in _MODES:
            raise ValueError(f"mode: expected one of {_MODES}, got {mode!r}")
        exts = IMG_EXTENSIONS if extensions is None else extensions
        if isinstance(exts, str):
            exts = (exts,)
        self.extensions = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in exts)
        self.mode = mode
        self.transform = transform
        self.target_transform = target_transform
        self.classes = sorted(e.name for e in os.scandir(self.root)
                              if e.is_dir() and not e.name.startswith("."))
        if not self.classes:
            raise FileNotFoundError(f"ImageFolder: no class sub-folders in {self.root}")
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.samples = self._find_samples(allow_empty)
        self.imgs = self.samples
        self.targets = np.array([t for _, t in self.samples], dtype=np.int64)

    def _find_samples(self, allow_empty: bool) -> List[Tuple[str, int]]:
        samples, empty = [], []
        for c in self.classes:
            files = []
            # torchvision's order: folders top-down in sorted order, files sorted in each
            for folder, dirs, names in sorted(os.walk(self.root / c, followlinks=True)):
                files.extend(os.path.join(folder, n) for n in sorted(names)
                             if os.path.splitext(n)[1].lower() in self.extensions)
            if not files:
                empty.append(c)
            samples.extend((f, self.class_to_idx[c]) for f in files)
        if empty and not allow_empty:
            raise FileNotFoundError(f"ImageFolder: no images with extensions {self.extensions} "
                                    f"in the class folders {empty} of {self.root} "
                                    f"(pass allow_empty=True to accept empty classes)")
        return samples

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def sample_transform(self) -> Callable:
        """What images go through: transform, or ToTensor when it is None."""
        return self.transform or ToTensor()

    def with_transform(self, transform: Optional[Callable] = None) -> "ImageFolder":
        """A copy sharing the file list, with another transform."""
        other = copy.copy(self)
        other.transform = transform
        return other

    def __getitem__(self, index):
        path, target = self.samples[_index(index, len(self), "ImageFolder")]
        x = load_image(path, self.mode)
        x = self.sample_transform(x)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return x, target

    def __repr__(self) -> str:
        return (f"Dataset ImageFolder\n    Number of datapoints: {len(self)}\n"
                f"    Root location: {self.root}\n    Classes: {len(self.classes)}")
