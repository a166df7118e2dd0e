"""The record of a training run, epoch by epoch, and its plot.

History holds one value per epoch for each metric (train/validation loss and
accuracy, learning rate, seconds, images per second); it round-trips through
plain dicts (JSON, checkpoints) and draws its curves with matplotlib. Left out:
per-step logging (the progress bar shows the running figures).
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional


@dataclass
class History:
    train_loss: List[float] = field(default_factory=list)
    train_accuracy: List[float] = field(default_factory=list)
    val_loss: List[float] = field(default_factory=list)
    val_accuracy: List[float] = field(default_factory=list)
    lr: List[float] = field(default_factory=list)
    seconds: List[float] = field(default_factory=list)
    images_per_second: List[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def append(self, **values: Optional[float]) -> None:
        """Add one epoch; metrics not given (no validation set) are left out."""
        for name, value in values.items():
            if value is not None:
                getattr(self, name).append(float(value))

    def to_dict(self) -> Dict[str, List[float]]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Dict[str, List[float]]) -> "History":
        return cls(**{k: [float(v) for v in values.get(k, [])] for k in cls.__dataclass_fields__})

    def plot(self, path: "str | os.PathLike", title: str = "") -> str:
        """Loss and accuracy curves side by side, saved as a PNG at path."""
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt

        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
        for ax, metric, label in ((ax_loss, "loss", "loss"), (ax_acc, "accuracy", "accuracy")):
            for split in ("train", "val"):
                values = getattr(self, f"{split}_{metric}")
                if values:
                    name = "training" if split == "train" else "validation"
                    ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(os.fspath(path), dpi=100)
        plt.close(fig)
        return os.fspath(path)
