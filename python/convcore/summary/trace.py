"""Run a model once on a zero input and record each layer call with forward hooks.

Every module gets a pre-hook and a hook; a call of a leaf module (one
without children) becomes a row counted by counting.count_layer. A module
whose class sets summary_group = True (an Inception module) becomes one row
whose params and ops are the sums over the layers it calls, labelled by its
summary_label() if it has one. A module called twice gives two rows, its
parameters counted at the first. The pass runs at batch 1 under no_grad in
evaluation mode (auxiliary heads and dropout off, batch norm on running
statistics); each module's mode is restored afterwards. What it leaves out:
shape propagation without computing (VGG-16 at 224x224 runs in seconds),
and inputs other than one tensor.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Set, Tuple

from .. import _C
from .._runtime import no_grad
from .counting import Count, count_layer, volume
from .table import LayerRow


def _tensors(value) -> List:
    if isinstance(value, _C.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []


def _shape(tensor) -> Tuple[int, ...]:
    return tuple(int(v) for v in tensor.shape)[1:]  # without the batch


class _Tracer:
    def __init__(self, model):
        self.names: Dict[int, str] = {}
        for name, module in model.named_modules(remove_duplicate=False):
            self.names.setdefault(id(module), name or type(module).__name__.lower())
        self.rows: List[LayerRow] = []
        self.counted_modules: Set[int] = set()  # modules whose parameters were counted
        self.used_params: Set[int] = set()
        self.depth = 0
        self.group = None  # [module, depth, params, ops, counted] of the open group

    def pre(self, module, args):
        self.depth += 1
        if self.group is None and getattr(module, "summary_group", False):
            self.group = [module, self.depth, 0, 0, True]

    def post(self, module, args, output):
        depth, self.depth = self.depth, self.depth - 1
        group = self.group
        if group is not None and group[0] is module and group[1] == depth:
            self.group = None
            label = module.summary_label() if hasattr(module, "summary_label") \
                else type(module).__name__
            self._add_row(module, args, output, Count(group[2], group[3], label,
                                                      counted=group[4]))
            return
        if any(True for _ in module.children()):
            return  # a container: its layers make the rows
        in_shape = _shape(args[0]) if args and isinstance(args[0], _C.Tensor) else ()
        outs = _tensors(output)
        count = count_layer(module, in_shape, _shape(outs[0]) if outs else ())
        first = id(module) not in self.counted_modules
        self.counted_modules.add(id(module))
        self.used_params.update(id(p) for p in module.parameters())
        params = count.params if first else 0
        if group is not None:
            group[2] += params
            group[3] += count.ops
            group[4] = group[4] and count.counted
            return
        count.params = params
        self._add_row(module, args, output, count)

    def _add_row(self, module, args, output, count: Count) -> None:
        outs = _tensors(output)
        shape = _shape(outs[0]) if outs else ()
        memory = sum(volume(_shape(t)) for t in outs)
        self.rows.append(LayerRow(self.names.get(id(module), "?"), type(module).__name__,
                                  count.label, shape, count.params, count.ops, memory,
                                  hidden=count.free, counted=count.counted))


def trace(model, input_size: Sequence[int]):
    """(rows, output shapes, ids of the parameters of the layers that ran)."""
    tracer = _Tracer(model)
    modules = list(model.modules())
    modes = [(m, m.training) for m in modules]
    handles = []
    try:
        for module in modules:
            handles.append(module.register_forward_pre_hook(tracer.pre))
            handles.append(module.register_forward_hook(tracer.post))
        model.eval()
        with no_grad():
            output = model(_C.zeros([1] + list(input_size)))
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in modes:
            module.training = mode
    return tracer.rows, [_shape(t) for t in _tensors(output)], tracer.used_params
