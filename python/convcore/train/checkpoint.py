"""Training checkpoints: one safetensors file holding everything a resume needs.

Arrays (model parameters and buffers, optimizer state) are the file's
tensors, under "model/<key>" and "optimizer/<param index>/<name>"; the rest
(epoch, optimizer hyperparameters and scalar state, schedule, history,
random streams, the caller's extra fields) is JSON in the file's metadata.
Files are written to a temporary name and renamed, so a crash mid-write
leaves the previous checkpoint whole. Left out: keeping several
checkpoints (callers name the path) and anything that is not JSON-able.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from .. import _C
from .history import History

FORMAT = "convcore-checkpoint"
VERSION = 1


@dataclass
class Checkpoint:
    epoch: int
    model_state: Dict[str, np.ndarray]
    optimizer_state: Optional[Dict[str, Any]] = None
    scheduler_state: Optional[Dict[str, Any]] = None
    history: History = field(default_factory=History)
    rng: Dict[str, Any] = field(default_factory=dict)
    extra: Dict[str, Any] = field(default_factory=dict)


def _random_generators(loader) -> List[np.random.Generator]:
    """The NumPy generators of the loader's data pipeline (random transforms), in a fixed order."""
    found, seen = [], set()

    def visit(obj, depth):
        if obj is None or depth > 4 or id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, np.random.Generator):
            found.append(obj)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                visit(item, depth + 1)
        elif hasattr(obj, "__dict__") and not isinstance(obj, (np.ndarray, type)):
            for name in sorted(vars(obj)):
                if name in ("dataset", "transform", "transforms", "target_transform") or \
                        isinstance(vars(obj)[name], np.random.Generator):
                    visit(vars(obj)[name], depth + 1)

    visit(loader, 0)
    return found


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(path, *, model, optimizer=None, scheduler=None, epoch: int,
                    history: Optional[History] = None, loader=None,
                    extra: Optional[Dict[str, Any]] = None) -> Path:
    """Write model, optimizer, schedule, epoch, history and random state to path, atomically."""
    from safetensors.numpy import save_file

    path = Path(path)
    tensors = {f"model/{k}": np.ascontiguousarray(np.asarray(v, dtype=np.float32))
               for k, v in model.state_dict().items()}
    meta: Dict[str, Any] = {"format": FORMAT, "version": VERSION, "epoch": int(epoch),
                            "history": (history or History()).to_dict(), "extra": extra or {}}
    if optimizer is not None:
        state = optimizer.state_dict()
        scalars: Dict[str, Dict[str, Any]] = {}
        for index, values in state["state"].items():
            for name, value in values.items():
                if isinstance(value, np.ndarray):
                    tensors[f"optimizer/{index}/{name}"] = np.ascontiguousarray(value, np.float32)
                else:
                    scalars.setdefault(str(index), {})[name] = (
                        value.item() if isinstance(value, np.generic) else value)
        meta["optimizer"] = {"param_groups": state["param_groups"], "scalars": scalars}
    if scheduler is not None:
        meta["scheduler"] = {k: v for k, v in scheduler.state_dict().items() if not callable(v)}
    seed, counter = _C.get_random_state()
    meta["rng"] = {"convcore": [seed, counter],
                   "data": [g.bit_generator.state for g in _random_generators(loader)]}
    _atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata={"convcore": json.dumps(meta)}))
    return path


def load_checkpoint(path) -> Checkpoint:
    """Read a checkpoint written by save_checkpoint; a damaged or foreign file raises ValueError."""
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint: no such file: {path}")
    try:
        with safe_open(os.fspath(path), framework="numpy") as f:
            meta = json.loads((f.metadata() or {}).get("convcore", "null"))
            arrays = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # safetensors reports truncation and bad headers in its own types
        raise ValueError(f"checkpoint: {path} is not a readable safetensors file ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"checkpoint: {path} is not a convcore checkpoint")
    if meta.get("version") != VERSION:
        raise ValueError(f"checkpoint: {path} has format version {meta.get('version')}, "
                         f"this convcore reads version {VERSION}")
    optimizer_state = None
    if "optimizer" in meta:
        state: Dict[int, Dict[str, Any]] = {}
        for key, value in arrays.items():
            if key.startswith("optimizer/"):
                _, index, name = key.split("/", 2)
                state.setdefault(int(index), {})[name] = value
        for index, values in meta["optimizer"]["scalars"].items():
            state.setdefault(int(index), {}).update(values)
        optimizer_state = {"state": state, "param_groups": meta["optimizer"]["param_groups"]}
    model_state = {k[len("model/"):]: v for k, v in arrays.items() if k.startswith("model/")}
    return Checkpoint(epoch=meta["epoch"], model_state=model_state,
                      optimizer_state=optimizer_state, scheduler_state=meta.get("scheduler"),
                      history=History.from_dict(meta["history"]), rng=meta["rng"],
                      extra=meta["extra"])


def restore_training_state(checkpoint: Checkpoint, model, optimizer=None, scheduler=None,
                           loader=None) -> None:
    """Put model, optimizer, schedule and random streams back where the checkpoint left them."""
    model.load_state_dict(checkpoint.model_state)
    if optimizer is not None:
        if checkpoint.optimizer_state is None:
            raise ValueError("resume: the checkpoint holds no optimizer state")
        optimizer.load_state_dict(checkpoint.optimizer_state)
    if scheduler is not None and checkpoint.scheduler_state is not None:
        scheduler.load_state_dict(checkpoint.scheduler_state)
    _C.set_random_state(*checkpoint.rng["convcore"])
    generators = _random_generators(loader)
    saved = checkpoint.rng.get("data", [])
    if len(saved) != len(generators):
        raise ValueError(f"resume: the checkpoint saved {len(saved)} data random streams, the "
                         f"loader has {len(generators)}: is it the same data pipeline?")
    for generator, state in zip(generators, saved):
        generator.bit_generator.state = state
