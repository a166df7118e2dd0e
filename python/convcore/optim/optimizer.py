"""Optimizer: the base class of convcore's optimizers, as torch.optim.Optimizer.

It keeps the parameter groups (dicts of parameters and hyperparameters), the
per-parameter state (keyed by the parameter itself), and saves and restores
both in torch's state_dict layout:
``{'state': {index: {name: value}}, 'param_groups': [{..., 'params': [indices]}]}``,
with parameters numbered in group order. State tensors are exported as NumPy
float32 copies and numbers stay numbers, so a state dict pickles and goes into
safetensors/JSON; loading copies them back into new convcore Tensors and
accepts torch's own optimizer state dicts (tensors, 0-d step tensors).

A subclass sets its defaults, checks a group's hyperparameters in
``_check_group`` and updates one parameter in ``_update``; the update itself
is a fused C++ pass (convcore/ops/optim.h).
Left out: hooks, parameter names in groups, sparse gradients, ``differentiable``.
"""
from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional

import numpy as np

from .. import _C
from .._C import Tensor
from .._runtime import enable_grad, no_grad


class _RequiredParameter:
    """The default of a hyperparameter every group must give."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _type_name(obj: Any) -> str:
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


class Optimizer:
    """Base class: ``params`` is an iterable of Tensors or of dicts (parameter
    groups, each with a 'params' entry and optional hyperparameters that
    override ``defaults``)."""

    def __init__(self, params: Iterable[Any], defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: Dict[Tensor, Dict[str, Any]] = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        if isinstance(params, (Tensor, dict)):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_type_name(params)}")
        if isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- what a subclass provides ----

    def _check_group(self, group: Dict[str, Any]) -> None:
        """Raise ValueError for a group's bad hyperparameters."""

    def _update(self, param: Tensor, grad: Tensor, group: Dict[str, Any],
                state: Dict[str, Any]) -> None:
        """One step on one parameter, in place (param: [...], grad: [...])."""
        raise NotImplementedError

    # ---- torch.optim.Optimizer's interface ----

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """One update of every parameter that has a gradient; parameters whose
        .grad is None are skipped. ``closure`` re-evaluates the model and
        returns the loss (called with grad enabled); its result is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    self._update(param, grad, group, self.state[param])
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every parameter's gradient (set_to_none) or fill it with zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    np.asarray(grad)[...] = 0.0

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a group of parameters (a dict with 'params' and optional hyperparameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_type_name(param_group)}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _type_name(p))
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        param_group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "each is updated once per occurrence", stacklevel=3)
        existing = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in existing for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self._check_group(param_group)
        self.param_groups.append(param_group)

    def state_dict(self) -> Dict[str, Any]:
        """The optimizer's state in torch's layout, state tensors as NumPy float32 copies."""
        index: Dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = list(range(start, start + len(group["params"])))
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            start += len(group["params"])
            groups.append(packed)
        state = {index[id(p)]: {k: _export_value(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore a state from state_dict() (this optimizer's or torch's layout):
        the groups' hyperparameters and each parameter's state, copied."""
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict \
                or "state" not in state_dict:
            raise ValueError("state_dict must be a dict with 'state' and 'param_groups' entries")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(self.param_groups)})")
        by_index: Dict[int, Tensor] = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict's parameter group {i} has "
                                 f"{len(saved['params'])} parameters, the optimizer's has "
                                 f"{len(group['params'])}")
            for k, p in zip(saved["params"], group["params"]):
                by_index[int(k)] = p
        state: Dict[Tensor, Dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            k = int(key)
            if k not in by_index:
                raise ValueError(f"loaded state dict has state for parameter {k}, which is in "
                                 "none of its parameter groups")
            p = by_index[k]
            state[p] = {name: _import_value(v, p, name, k) for name, v in values.items()}
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            new = {k: v for k, v in saved.items() if k != "params"}
            for k, v in group.items():  # options the saved group lacks keep their values
                new.setdefault(k, v)
            new["params"] = group["params"]
            self._check_group(new)
            new_groups.append(new)
        self.param_groups = new_groups
        self.state = state

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # ---- helpers for subclasses ----

    @staticmethod
    def _zeros_like(param: Tensor) -> Tensor:
        return _C.zeros(list(param.shape))

    @staticmethod
    def _buffer(state: Dict[str, Any], name: str, param: Tensor) -> Tensor:
        """state[name], created as zeros of the parameter's shape when missing."""
        buf = state.get(name)
        if buf is None:
            buf = state[name] = _C.zeros(list(param.shape))
        return buf


def _export_value(value: Any) -> Any:
    if isinstance(value, Tensor):
        return np.array(value, dtype=np.float32, copy=True)
    return value


def _import_value(value: Any, param: Tensor, name: str, index: int) -> Any:
    """A saved state value as this optimizer keeps it: numbers as Python
    numbers ('step' an int), arrays (NumPy, torch, convcore) as new Tensors of
    the parameter's shape."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    try:
        arr = np.asarray(value)
    except Exception as e:  # e.g. a torch tensor that requires grad
        raise TypeError(f"state of parameter {index}: {name!r} is a {_type_name(value)}, "
                        "expected a number or an array") from e
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"state of parameter {index}: {name!r} has dtype {arr.dtype}, "
                        "expected numbers")
    if arr.ndim == 0:
        number = arr.item()
        if name == "step" and float(number).is_integer():
            return int(number)
        return number
    if tuple(arr.shape) != tuple(param.shape):
        raise ValueError(f"state of parameter {index}: {name!r} has shape {tuple(arr.shape)}, "
                         f"expected the parameter's shape {tuple(param.shape)}")
    # A fresh array of the canonical float32 dtype: an unpickled array's dtype
    # is an equal but distinct object, which the conversion to Tensor refuses.
    out = np.empty(arr.shape, np.float32)
    out[...] = arr
    return _C.tensor(out)
