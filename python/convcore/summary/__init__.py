"""convcore.summary(model, input_size): the decks' table of a network.

    table = convcore.summary(convcore.models.caffenet(), (3, 227, 227))
    print(table)              # layer, type, output, params, ops, memory
    table.total_params, table.total_ops, table.rows, table.notes()

Counting rules: counting.py (SPEC section 4); the run with hooks: trace.py;
the Summary object and its text: table.py. The attribute convcore.summary is
this function (as torchvision.models.alexnet is the function, not its
module): reach the package's other names with
`from convcore.summary import Summary, count_layer`.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .. import nn
from .counting import Count, count_layer
from .table import LayerRow, Summary
from .trace import trace

__all__ = ["summary", "Summary", "LayerRow", "Count", "count_layer"]


def _input_size(model, input_size) -> tuple:
    if input_size is None:
        input_size = getattr(model, "default_input_size", None)
        if input_size is None:
            raise ValueError("input_size: this model has no default_input_size; give the input "
                             "shape without the batch, e.g. (3, 224, 224)")
    if isinstance(input_size, (int, np.integer)) and not isinstance(input_size, bool):
        input_size = (int(input_size),)
    try:
        size = tuple(input_size)
    except TypeError:
        raise TypeError(f"input_size: expected a sequence of ints (without the batch), "
                        f"got {input_size!r}") from None
    if not size or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
                           for v in size):
        raise ValueError(f"input_size: expected positive ints (without the batch), "
                         f"got {input_size!r}")
    return tuple(int(v) for v in size)


def _input_label(size: tuple) -> str:
    if len(size) == 3 and size[1] == size[2]:
        return f"input({size[1]}, {size[0]})"  # the decks' input(227, 3)
    return "input(" + ", ".join(map(str, size)) + ")"


def summary(model, input_size: Optional[Sequence[int]] = None, *,
            softmax: bool = True) -> Summary:
    """Count each layer of model on one input of input_size (without the batch;
    None: model.default_input_size, which the zoo's models carry).

    softmax=True adds the decks' softmax row (ops = number of classes) after a
    model that ends in class scores [N, classes] without a Softmax layer.
    The model runs once, at batch 1 in evaluation mode, under no_grad.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a convcore.nn.Module, got {type(model).__name__}")
    size = _input_size(model, input_size)
    rows, outputs, used = trace(model, size)
    first = LayerRow("input", "Input", _input_label(size), size, 0, 0, int(np.prod(size)))
    rows = [first] + rows
    shown = [r for r in rows if not r.hidden]
    ends_in_softmax = shown and shown[-1].kind in ("Softmax", "LogSoftmax")
    if softmax and len(outputs) >= 1 and len(outputs[0]) == 1 and not ends_in_softmax:
        classes = outputs[0][0]
        rows.append(LayerRow("softmax", "Softmax", "softmax", (classes,), 0, classes, classes))
    stored = sum(int(np.prod(p.shape)) for p in model.parameters())
    not_run = []  # the outermost modules all of whose parameters did not run
    for name, module in model.named_modules():
        if any(name.startswith(done + ".") for done in not_run):
            continue
        params = list(module.parameters())
        if params and all(id(p) not in used for p in params):
            not_run.append(name or type(model).__name__)
    masked = sum(int((~m.connection_table).sum()) * int(np.prod(m.kernel_size))
                 for m in model.modules() if isinstance(m, nn.ConnectionTableConv2d))
    return Summary(rows, size, outputs, stored, not_run, masked)
