"""The Summary object: rows of name, label, output, params, ops and memory,
with totals, the decks' observations, and its printed form (the decks' table).

Memory is counted in activation values (the decks' output volume) and
printed in KB of float32 (4 bytes a value, 1 KB = 1024 bytes), the unit of
the decks' AlexNet/VGG memory comparison. What it leaves out: the memory of
gradients and optimizer state, and other formats than text and a dict.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Dict, List, Sequence, Tuple

BYTES_PER_VALUE = 4  # float32


@dataclass
class LayerRow:
    """One line of the table; shapes exclude the batch, memory counts values."""

    name: str
    kind: str  # the module's class name
    label: str  # the decks' notation, e.g. conv(11, 96, s4)
    output_shape: Tuple[int, ...]
    params: int
    ops: int
    memory: int
    hidden: bool = False  # a free layer (ReLU, dropout, ...), printed only on request
    counted: bool = True  # False: no counting rule for this type

    @property
    def volume(self) -> str:
        """The output as the decks write it: H x W x C, or the length of a vector."""
        return format_shape(self.output_shape)


def format_shape(shape: Sequence[int]) -> str:
    shape = tuple(shape)
    if len(shape) <= 1:
        return f"{shape[0]:,}" if shape else "1"
    return "x".join(str(v) for v in shape[1:] + shape[:1])  # channels last, as the decks


def _kb(values: int) -> str:
    return f"{values * BYTES_PER_VALUE / 1024:,.1f} KB"


def _bytes(values: int) -> str:
    size = values * BYTES_PER_VALUE / 1024
    return f"{size:,.1f} KB" if size < 1024 else f"{size / 1024:,.1f} MB"


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "0%"


@dataclass
class Summary:
    """convcore.summary's result. str() prints the table; rows lists the
    shown lines (input and softmax rows included), all_rows the free layers too."""

    all_rows: List[LayerRow]
    input_size: Tuple[int, ...]
    output_shapes: List[Tuple[int, ...]]
    stored_params: int  # parameter values the model holds
    not_run: List[str] = field(default_factory=list)  # modules with parameters that did not run
    masked_params: int = 0  # weights a connection table keeps at zero

    @property
    def rows(self) -> List[LayerRow]:
        return [r for r in self.all_rows if not r.hidden]

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.all_rows)

    @property
    def total_ops(self) -> int:
        return sum(r.ops for r in self.all_rows)

    @property
    def total_memory(self) -> int:
        """Activation values of the shown rows, the input included (free layers such
        as ReLU work in place in the decks' accounting)."""
        return sum(r.memory for r in self.rows)

    @property
    def total_memory_bytes(self) -> int:
        return self.total_memory * BYTES_PER_VALUE

    @property
    def uncounted_types(self) -> List[str]:
        return sorted({r.kind for r in self.all_rows if not r.counted})

    def _layers(self) -> List[LayerRow]:
        return [r for r in self.rows if r.kind not in ("Input",)]

    def notes(self) -> List[str]:
        """Where most parameters, operations and memory sit, as the decks observe."""
        layers = self._layers()
        lines = []
        for what, key, total in (("parameters", "params", self.total_params),
                                 ("operations", "ops", self.total_ops),
                                 ("memory", "memory", sum(r.memory for r in layers))):
            if not layers or not total:
                continue
            top = max(layers, key=lambda r: getattr(r, key))
            amount = getattr(top, key)
            shown = _kb(amount) if key == "memory" else f"{amount:,}"
            lines.append(f"most {what} in {top.label} ({top.name}): {shown}, "
                         f"{_share(amount, total)}")
        conv = [r for r in layers if r.label.startswith(("conv", "deconv")) or
                r.kind.lower().startswith(("inception", "conv"))]
        fc = [r for r in layers if r.kind == "Linear"]
        if conv and fc and self.total_params and self.total_ops:
            params, ops = self.total_params, self.total_ops
            lines.append(
                f"convolutional layers: {_share(sum(r.params for r in conv), params)} of the "
                f"parameters, {_share(sum(r.ops for r in conv), ops)} of the operations; "
                f"fully connected: {_share(sum(r.params for r in fc), params)} and "
                f"{_share(sum(r.ops for r in fc), ops)}")
        gap = self.stored_params - self.total_params
        if gap:
            reasons = []
            if self.masked_params:
                reasons.append(f"{self.masked_params:,} weights of unconnected kernels")
            if self.not_run:
                reasons.append("layers that did not run: " + ", ".join(self.not_run))
            lines.append(f"the model stores {self.stored_params:,} parameter values, "
                         f"{gap:,} more than counted ({'; '.join(reasons) or 'shared or unused'})")
        if self.uncounted_types:
            lines.append("no counting rule for " + ", ".join(self.uncounted_types)
                         + ": their operations are counted as 0")
        return lines

    def __str__(self) -> str:
        header = ("layer", "type", "output", "params", "ops", "memory")
        body = [(r.name, r.label, r.volume, f"{r.params:,}", f"{r.ops:,}", _kb(r.memory))
                for r in self.rows]
        total = ("total", "", "", f"{self.total_params:,}", f"{self.total_ops:,}",
                 _kb(self.total_memory))
        table = [header] + body + [total]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        left = (True, True, False, False, False, False)

        def fmt(line):
            return "  ".join(cell.ljust(w) if lft else cell.rjust(w)
                             for cell, w, lft in zip(line, widths, left)).rstrip()

        rule = "-" * len(fmt(header))
        text = [fmt(header), rule] + [fmt(line) for line in body] + [rule, fmt(total), ""]
        text.append(f"parameters {self.total_params:,}; operations {self.total_ops:,} "
                    f"(multiply-adds); activation memory {_bytes(self.total_memory)} "
                    f"(float32, input included, batch 1)")
        text += ["- " + note for note in self.notes()]
        return "\n".join(text)

    def __repr__(self) -> str:
        return (f"Summary(input_size={self.input_size}, rows={len(self.rows)}, "
                f"total_params={self.total_params:,}, total_ops={self.total_ops:,})")

    def to_dict(self) -> Dict:
        """Plain data (rows, totals, notes) for JSON."""
        return {"input_size": list(self.input_size),
                "rows": [dict(asdict(r), output_shape=list(r.output_shape)) for r in self.rows],
                "total_params": self.total_params, "total_ops": self.total_ops,
                "total_memory": self.total_memory, "stored_params": self.stored_params,
                "notes": self.notes()}
