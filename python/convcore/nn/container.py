"""Containers, as torch.nn: Sequential (a chain), ModuleList and ModuleDict
(registered collections whose forward the owner writes).

Submodules live in the Module's registry, so parameters, state dicts, repr,
train/eval and hooks see them. What it leaves out: ParameterList,
ParameterDict, and torch's folding of repeated entries in repr.

Sequential runs a batch norm followed by a ReLU as one pass over memory
(the batch norm's relu epilogue: the same numbers, about half the memory
traffic), unless a hook on either would see the tensor between them.
"""
from __future__ import annotations

import operator
from collections import OrderedDict
from typing import Iterable, Iterator, Mapping, Optional, Tuple, Union

from .activation import ReLU
from .module import Module
from .normalization import _BatchNorm


def _index(idx, size: int, what: str) -> int:
    """A non-negative position from an int index (negative counts from the end)."""
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(f"{what} indices must be integers or slices, got "
                        f"{type(idx).__name__}") from None
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of range for a {what} of length {size}")
    return i + size if i < 0 else i


def _fuses_relu(first: Module, second: Module) -> bool:
    """first is a batch norm that can apply second, a plain ReLU, itself: no hook
    would see the tensor between them."""
    return (isinstance(first, _BatchNorm) and type(second) is ReLU
            and not (first._forward_hooks or second._forward_pre_hooks
                     or second._forward_hooks))


def _check_module(module, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: expected a convcore.nn.Module, got {type(module).__name__}")
    return module


class Sequential(Module):
    """Sequential(*modules) or Sequential(OrderedDict([(name, module), ...])):
    forward feeds the input through each module in turn."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, _check_module(module, f"Sequential[{name!r}]"))
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), _check_module(module, f"Sequential argument {i}"))

    def forward(self, input):
        modules = list(self._modules.values())
        i = 0
        while i < len(modules):
            if i + 1 < len(modules) and _fuses_relu(modules[i], modules[i + 1]):
                input = modules[i](input, relu=True)
                i += 2
            else:
                input = modules[i](input)
                i += 1
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: Union[int, slice]) -> Union[Module, "Sequential"]:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self), "Sequential")]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self), "Sequential")]
        self._modules[key] = _check_module(module, f"Sequential[{idx}]")

    def __delitem__(self, idx: Union[int, slice]) -> None:
        keys = list(self._modules)
        for key in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(self), "Sequential")]]):
            del self._modules[key]
        self._renumber()

    def _renumber(self) -> None:
        # As torch: after a deletion or insertion, entries are named 0..n-1 again.
        self.__dict__["_modules"] = {str(i): m for i, m in enumerate(self._modules.values())}

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self)), _check_module(module, "append"))
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        _check_module(module, "insert")
        n = len(self)
        if not -n <= index <= n:
            raise IndexError(f"index {index} is out of range for insert into a Sequential of length {n}")
        values = list(self._modules.values())
        values.insert(index + n if index < 0 else index, module)
        self.__dict__["_modules"] = {str(i): m for i, m in enumerate(values)}
        return self


class ModuleList(Module):
    """ModuleList(modules=None): a list of registered submodules (no forward of its own)."""

    def __init__(self, modules: Optional[Iterable[Module]] = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: Union[int, slice]) -> Union[Module, "ModuleList"]:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx: int, module: Module) -> None:
        i = _index(idx, len(self), "ModuleList")
        self._modules[str(i)] = _check_module(module, f"ModuleList[{idx}]")

    def __delitem__(self, idx: Union[int, slice]) -> None:
        values = list(self._modules.values())
        if isinstance(idx, slice):
            del values[idx]
        else:
            del values[_index(idx, len(self), "ModuleList")]
        self.__dict__["_modules"] = {str(i): m for i, m in enumerate(values)}

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        return type(self)(list(self) + list(other))

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self)), _check_module(module, "append"))
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("extend: expected an iterable of Modules, got a single "
                            f"{type(modules).__name__}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        _check_module(module, "insert")
        values = list(self._modules.values())
        values.insert(index, module)
        self.__dict__["_modules"] = {str(i): m for i, m in enumerate(values)}


class ModuleDict(Module):
    """ModuleDict(modules=None): a dict of registered submodules, in insertion order."""

    def __init__(self, modules: Optional[Union[Mapping[str, Module],
                                               Iterable[Tuple[str, Module]]]] = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, f"ModuleDict[{key!r}]"))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def update(self, modules) -> None:
        """Add (name, module) pairs from a mapping or an iterable of pairs."""
        items = modules.items() if isinstance(modules, Mapping) or isinstance(modules, ModuleDict) \
            else modules
        for j, item in enumerate(items):
            try:
                key, module = item
            except (TypeError, ValueError):
                raise TypeError(f"ModuleDict update: element {j} should be a (name, module) "
                                f"pair, got {item!r}") from None
            self[key] = module
