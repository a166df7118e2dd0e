"""The zoo's index: model functions register under their own name.

create(name, **arguments) builds a model and records {name, arguments} on
it as `model.architecture`, which model files save so load_model can
rebuild the network, and `model.default_input_size` ([C, H, W]) when the
function takes in_channels and input_size and did not set it (summary's
default input). Left out: pretrained weights (nothing is downloaded).
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable, Dict, List

_MODELS: Dict[str, Callable] = {}


def register(fn: Callable) -> Callable:
    """Decorator: list fn in the zoo under fn.__name__; calling fn records its architecture."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def build(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)  # a wrong option raises TypeError here
        model = fn(*bound.args, **bound.kwargs)
        model.architecture = {"name": fn.__name__, "arguments": dict(bound.arguments)}
        if getattr(model, "default_input_size", None) is None:
            _set_input_size(model, signature, bound)
        return model

    _MODELS[fn.__name__] = build
    return build


def _set_input_size(model, signature: inspect.Signature, bound: inspect.BoundArguments) -> None:
    """default_input_size [C, H, W] from the function's in_channels and input_size options,
    for models that do not set it themselves (convcore.summary's default)."""
    full = signature.bind(*bound.args, **bound.kwargs)
    full.apply_defaults()
    channels, size = full.arguments.get("in_channels"), full.arguments.get("input_size")
    if isinstance(channels, int) and isinstance(size, int):
        model.default_input_size = (channels, size, size)


def list_models() -> List[str]:
    return sorted(_MODELS)


def get(name: str) -> Callable:
    """The zoo function called `name`."""
    if name not in _MODELS:
        raise ValueError(f"model: unknown name {name!r}; choose one of {', '.join(list_models())}")
    return _MODELS[name]


def create(name: str, **arguments):
    """The model `name` (a function of convcore.models) built with the given options."""
    return get(name)(**arguments)
