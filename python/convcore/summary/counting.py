"""The decks' counting rules (SPEC section 4), one per layer type.

count_layer(module, input_shape, output_shape) gives a layer's parameters,
operations and its label in the decks' notation (conv(11, 96, s4), pool(3, 2),
fc(4096), ...). Shapes exclude the batch: [C, H, W], [C, L], [F].

  conv        params (r*r*C/g + 1) * K (a connection table counts only its
              connected kernels); ops params x output positions
              (multiply-adds, bias included); transposed: weights x input
              positions + bias x output positions
  fc          params = ops = (n_in + 1) * n_out (times the positions of any
              extra leading dims)
  pooling, LRN, maxout, batch norm, softmax
              ops = input volume (a comparison or multiply-add per input
              value; batch norm folds to one multiply-add per value at
              inference); batch norm has 2 * C parameters
  free        ReLU and the other element-wise activations, dropout,
              flatten, identity, an adaptive pool whose output is its
              input: no ops (the decks count none), hidden from the table
              by default
A layer of a model's own may state its rule with a method
summary_count(in_shape, out_shape) -> Count; a module type without a rule
counts its parameters and no operations, and is reported as uncounted.
What it leaves out: the element-wise additions and concatenations written
in a model's forward (residual sums, Inception's channel concatenation),
which are not modules and, like ReLU, cost no ops.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Sequence, Tuple

import numpy as np

from .. import nn

Shape = Tuple[int, ...]


@dataclass
class Count:
    """One call's cost: params, ops, its label; free layers are hidden by default."""

    params: int
    ops: int
    label: str
    free: bool = False
    counted: bool = True  # False: no rule for this type (ops unknown, shown as 0)


def volume(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def _size(value) -> int:
    return 0 if value is None else volume(tuple(value.shape))


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _side(values) -> str:
    """'3' for (3, 3), '1x7' for (1, 7): the decks write square kernels as one number."""
    items = tuple(values) if isinstance(values, (tuple, list)) else (values,)
    return _num(items[0]) if len(set(items)) == 1 else "x".join(_num(v) for v in items)


def _padding_text(padding) -> str:
    if isinstance(padding, str):
        return "" if padding == "valid" else f"p={padding}"
    items = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,)
    return "" if not any(items) else f"p{_side(items)}"


# ---------------------------------------------------------------- rules

def _conv(m, in_shape: Shape, out_shape: Shape) -> Count:
    kernel = volume(m.kernel_size)
    bias = _size(m.bias)
    if isinstance(m, nn.ConnectionTableConv2d):
        weights = int(m.connection_table.sum()) * kernel
    else:
        weights = _size(m.weight)
    params = weights + bias
    transposed = isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d))
    if transposed:
        ops = weights * volume(in_shape[1:]) + bias * volume(out_shape[1:])
    else:
        ops = params * volume(out_shape[1:])
    parts = [_side(m.kernel_size), str(m.out_channels)]
    parts += [t for t in (_padding_text(m.padding),) if t]
    if any(s != 1 for s in m.stride):
        parts.append(f"s{_side(m.stride)}")
    if any(d != 1 for d in m.dilation):
        parts.append(f"d{_side(m.dilation)}")
    if m.groups != 1:
        parts.append("dw" if m.groups == m.in_channels == m.out_channels else f"g{m.groups}")
    return Count(params, ops, ("deconv" if transposed else "conv") + f"({', '.join(parts)})")


def _linear(m, in_shape: Shape, out_shape: Shape) -> Count:
    params = _size(m.weight) + _size(m.bias)
    return Count(params, params * volume(out_shape[:-1]), f"fc({m.out_features})")


def _window_label(name: str, kernel, stride, padding, ceil_mode: bool) -> str:
    """pool(r[, s][, pP]) as the decks write it: s shown when it differs from r or p is set."""
    r = _side(kernel)
    s = r if stride is None else _side(stride)
    pad = _padding_text(padding)
    parts = [r] + ([s] if s != r or pad else []) + ([pad] if pad else [])
    if ceil_mode:
        parts.append("ceil")
    return f"{name}({', '.join(parts)})"


def _pool(m, in_shape: Shape, out_shape: Shape) -> Count:
    name = "pool" if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)) else \
        "avg" if isinstance(m, (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)) else \
        f"lp{_num(m.norm_type)}"
    label = _window_label(name, m.kernel_size, m.stride, getattr(m, "padding", 0), m.ceil_mode)
    return Count(0, volume(in_shape), label)


def _adaptive(m, in_shape: Shape, out_shape: Shape) -> Count:
    name = "avg" if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d,
                                   nn.AdaptiveAvgPool3d, nn.GlobalAvgPool2d)) else "pool"
    spatial_in, spatial_out = in_shape[1:], out_shape[1:]
    if spatial_in == spatial_out:  # every window is one value: a copy
        return Count(0, 0, f"{name}(identity)", free=True)
    if all(i % o == 0 for i, o in zip(spatial_in, spatial_out)):
        label = f"{name}({_side([i // o for i, o in zip(spatial_in, spatial_out)])})"
    else:
        label = f"{name}(to {'x'.join(map(str, spatial_out))})"
    return Count(0, volume(in_shape), label)


def _per_input_value(label: str) -> Callable:
    def rule(m, in_shape: Shape, out_shape: Shape) -> Count:
        return Count(sum(_size(p) for p in m.parameters()), volume(in_shape), label)
    return rule


def _batch_norm(m, in_shape: Shape, out_shape: Shape) -> Count:
    return Count(_size(m.weight) + _size(m.bias), volume(in_shape), "bn")


def _mixed(m, in_shape: Shape, out_shape: Shape) -> Count:
    label = _window_label("mixpool", m.kernel_size, m.stride, m.padding, m.ceil_mode)
    return Count(sum(_size(p) for p in m.parameters()), volume(in_shape), label)


def _free(label: str) -> Callable:
    def rule(m, in_shape: Shape, out_shape: Shape) -> Count:
        return Count(0, 0, label, free=True)
    return rule


def _dropout(m, in_shape: Shape, out_shape: Shape) -> Count:
    return Count(0, 0, f"dropout({_num(m.p)})", free=True)


# (types, rule) in lookup order: ConnectionTableConv2d is a Conv2d, so the
# conv rule checks for it itself; the first isinstance match wins.
RULES: List[Tuple[tuple, Callable]] = [
    ((nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
      nn.ConvTranspose3d), _conv),
    ((nn.Linear,), _linear),
    ((nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
      nn.LPPool1d, nn.LPPool2d, nn.LPPool3d), _pool),
    ((nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AdaptiveMaxPool1d,
      nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d, nn.GlobalAvgPool2d, nn.GlobalMaxPool2d),
     _adaptive),
    ((nn.MixedPool2d,), _mixed),
    ((nn.SpatialPyramidPool2d,), _per_input_value("spp")),
    ((nn.Maxout,), _per_input_value("maxout")),
    ((nn.MaxUnpool1d, nn.MaxUnpool2d, nn.MaxUnpool3d), _per_input_value("unpool")),
    ((nn.LocalResponseNorm,), _per_input_value("norm")),
    ((nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d), _batch_norm),
    ((nn.Softmax,), _per_input_value("softmax")),
    ((nn.LogSoftmax,), _per_input_value("log-softmax")),
    ((nn.ReLU,), _free("relu")),
    ((nn.ReLU6,), _free("relu6")),
    ((nn.LeakyReLU,), _free("leaky-relu")),
    ((nn.Sigmoid,), _free("sigmoid")),
    ((nn.Tanh,), _free("tanh")),
    ((nn.ScaledTanh,), _free("scaled-tanh")),
    ((nn.Dropout, nn.Dropout2d), _dropout),
    ((nn.Flatten,), _free("flatten")),
    ((nn.Unflatten,), _free("unflatten")),
    ((nn.Identity,), _free("identity")),
]


def count_layer(module, in_shape: Shape, out_shape: Shape) -> Count:
    """The rule's count for one call of a layer (shapes without the batch)."""
    own = getattr(module, "summary_count", None)
    if callable(own):  # a model's own layer states its rule
        return own(tuple(in_shape), tuple(out_shape))
    for types, rule in RULES:
        if isinstance(module, types):
            return rule(module, tuple(in_shape), tuple(out_shape))
    params = sum(_size(p) for p in module.parameters())
    return Count(params, 0, type(module).__name__, counted=False)
