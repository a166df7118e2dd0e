"""The command line's data sets: a name (or an image folder) -> train and test sets.

Each entry knows its image shape, its classes and the training settings
that suit it when the user gives none (digits trains in seconds with the
small CNN, padded to fit 8x8 images). Images are scaled to [0, 1] and
centred on the training set's mean pixel. Left out: augmentation (the
reproduction scripts set their own pipelines).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from .. import data
from ..data import transforms as T


@dataclass
class DataSpec:
    name: str
    train: Any
    test: Any
    in_channels: int
    input_size: int
    classes: List[str]
    defaults: Dict[str, Any] = field(default_factory=dict)  # epochs, batch_size, lr, ...
    model_options: Dict[str, Any] = field(default_factory=dict)  # per model name


NAMES = ("digits", "mnist", "fashion-mnist", "cifar10")

_DEFAULTS = {
    "digits": dict(epochs=10, batch_size=64, lr=0.05, momentum=0.9),
    "mnist": dict(epochs=5, batch_size=128, lr=0.01, momentum=0.9),
    "fashion-mnist": dict(epochs=5, batch_size=128, lr=0.01, momentum=0.9),
    "cifar10": dict(epochs=10, batch_size=128, lr=0.01, momentum=0.9),
}


def _build(name: str, data_dir: Optional[str]):
    if name == "digits":
        return data.Digits(train=True), data.Digits(train=False)
    kind = {"mnist": data.MNIST, "fashion-mnist": data.FashionMNIST, "cifar10": data.CIFAR10}
    if name in kind:  # data_dir may be the set's own folder or its parent (None: $CONVCORE_DATA)
        return kind[name](data_dir, train=True), kind[name](data_dir, train=False)
    folder = Path(name)
    if not folder.is_dir():
        raise ValueError(f"--dataset: expected one of {', '.join(NAMES)} or an image folder, "
                         f"got {name!r}")
    if (folder / "train").is_dir() and (folder / "test").is_dir():
        return data.ImageFolder(folder / "train"), data.ImageFolder(folder / "test")
    whole = data.ImageFolder(folder)
    test_size = max(1, len(whole) // 5)
    return tuple(data.random_split(whole, [len(whole) - test_size, test_size], seed=0))


def load(name: str, data_dir: Optional[str] = None) -> DataSpec:
    """The train and test sets of `name`, centred with the training mean."""
    train, test = _build(name, data_dir)
    centre = T.CenterMean.fit(train)
    train, test = _then(train, centre), _then(test, centre)
    image, _ = train[0]
    classes = getattr(train, "classes", None) or getattr(getattr(train, "dataset", None),
                                                          "classes", None)
    model_options = {}
    if image.shape[-1] < 16:  # the decks' small CNN needs padding to keep a map on 8x8 digits
        model_options["small_cnn"] = {"padding": 2}
    return DataSpec(name, train, test, in_channels=image.shape[0], input_size=image.shape[-1],
                    classes=[str(c) for c in classes],
                    defaults=_DEFAULTS.get(name, dict(epochs=10, batch_size=64, lr=0.01,
                                                      momentum=0.9)),
                    model_options=model_options)


def _then(dataset, transform):
    """dataset with `transform` applied after its own (a Subset: to the set beneath)."""
    if isinstance(dataset, data.Subset):
        return data.Subset(_then(dataset.dataset, transform), dataset.indices)
    return dataset.with_transform(T.Compose([dataset.sample_transform, transform]))
