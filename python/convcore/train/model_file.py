"""Model files: weights in safetensors, with a JSON description beside them.

save_model(model, "out/model") writes out/model.safetensors (the state dict)
and out/model.json (format, architecture name and arguments when the model
came from convcore.models, class names, input size, metrics, convcore
version), so load_model can rebuild the network without the code that made
it. Left out: pickling arbitrary Python modules (a user's own Module
subclass saves its weights; they load into an instance the user builds).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import numpy as np

from .checkpoint import _atomic_write

FORMAT = "convcore-model"


def _paths(path) -> Tuple[Path, Path]:
    path = Path(path)
    base = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    return base.with_name(base.name + ".safetensors"), base.with_name(base.name + ".json")


def save_model(model, path, description: Optional[Dict[str, Any]] = None) -> Path:
    """Write path.safetensors and path.json; returns the weights' path.

    description: extra JSON-able fields (classes, input_size, metrics, ...).
    A model built by convcore.models carries its architecture, recorded too.
    """
    from safetensors.numpy import save_file

    from .. import __version__

    weights, info = _paths(path)
    tensors = {k: np.ascontiguousarray(np.asarray(v, dtype=np.float32))
               for k, v in model.state_dict().items()}
    meta = {"format": FORMAT, "convcore_version": __version__,
            "architecture": getattr(model, "architecture", None), **(description or {})}
    text = json.dumps(meta, indent=2) + "\n"
    _atomic_write(weights, lambda tmp: save_file(tensors, tmp, metadata={"format": FORMAT}))
    _atomic_write(info, lambda tmp: Path(tmp).write_text(text))
    return weights


def read_description(path) -> Dict[str, Any]:
    """The JSON description saved beside a model's weights."""
    _, info = _paths(path)
    if not info.is_file():
        raise FileNotFoundError(f"model: no description file {info} beside the weights")
    try:
        meta = json.loads(info.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"model: {info} is not valid JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"model: {info} is not a convcore model description")
    return meta


def load_weights(path) -> Dict[str, np.ndarray]:
    """The state dict stored in path.safetensors; a damaged or foreign file raises ValueError."""
    from safetensors.numpy import load_file

    weights, _ = _paths(path)
    if not weights.is_file():
        raise FileNotFoundError(f"model: no such file: {weights}")
    try:
        return load_file(os.fspath(weights))
    except Exception as e:  # truncated files and bad headers come as safetensors' own errors
        raise ValueError(f"model: {weights} is not a readable safetensors file ({e})") from None


def load_model(path, model=None):
    """Rebuild the model saved at path (or fill the given one) and load its weights."""
    meta = read_description(path)
    if model is None:
        arch = meta.get("architecture")
        if not arch:
            raise ValueError(f"model: {path} records no convcore.models architecture; "
                             "build the model yourself and pass it as model=")
        from .. import models

        model = models.create(arch["name"], **arch.get("arguments", {}))
    model.load_state_dict(load_weights(path))
    model.eval()
    return model
