"""Time one optimizer step of convcore.optim against torch.optim on ResNet-18's parameters.

The parameter set is ResNet-18's (62 tensors, 11.7M floats: convolutions,
batch-norm scales and shifts, the classifier), with fixed random gradients.
Each library steps its own copy; torch is timed in each implementation it
has on the CPU: the per-tensor loop (foreach=False), the multi-tensor one
(foreach=True) and, where it exists, the fused kernel (fused=True). It
prints a Markdown table of median milliseconds per step and torch's best
time / convcore's (above 1: convcore is faster). The check column is the
largest difference of the parameters after 3 steps from the same start
(convcore vs torch's per-tensor loop), relative to the largest parameter.

    python benchmarks/optim_step.py --quick --threads 1
    python benchmarks/optim_step.py --filter adam --markdown-out results.md

Not measured: zero_grad, schedulers, clipping, memory use.
"""
from __future__ import annotations

import sys
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from _common import (
    bench_arguments, fmt_ms, median_ms, start_report, timing_settings, write_markdown,
)


def resnet18_shapes() -> List[Tuple[int, ...]]:
    """ResNet-18's parameter shapes in module order (torchvision's layout)."""
    shapes: List[Tuple[int, ...]] = [(64, 3, 7, 7), (64,), (64,)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        for block in range(2):
            first = block == 0
            shapes += [(cout, cin if first else cout, 3, 3), (cout,), (cout,),
                       (cout, cout, 3, 3), (cout,), (cout,)]
            if first and (stride != 1 or cin != cout):
                shapes += [(cout, cin, 1, 1), (cout,), (cout,)]
        cin = cout
    return shapes + [(1000, 512), (1000,)]


# name, convcore/torch class, options, whether torch has fused=True on the CPU
CASES: List[Tuple[str, str, Dict[str, object], bool]] = [
    ("SGD momentum+nesterov+wd", "SGD",
     dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4), True),
    ("Adam", "Adam", dict(lr=1e-3), True),
    ("AdamW amsgrad", "AdamW", dict(lr=1e-3, weight_decay=0.05, amsgrad=True), True),
    ("RMSprop centered+momentum", "RMSprop", dict(lr=1e-3, momentum=0.9, centered=True), False),
]


class Case:
    def __init__(self, cls: str, options: Dict[str, object], fused: bool, convcore, torch,
                 seed: int = 0):
        rng = np.random.default_rng(seed)
        shapes = resnet18_shapes()
        self.params = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in shapes]
        self.grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in shapes]
        self.cls, self.options = cls, options
        self.convcore, self.torch = convcore, torch
        self.torch_variants = {"per-tensor": dict(foreach=False), "foreach": dict(foreach=True)}
        if fused:
            self.torch_variants["fused"] = dict(fused=True)

    def make_convcore(self) -> Tuple[Callable[[], object], List[object]]:
        cc = self.convcore
        ps = [cc.tensor(p, requires_grad=True) for p in self.params]
        for p, g in zip(ps, self.grads):
            p.grad = cc.tensor(g)
        opt = getattr(cc.optim, self.cls)(ps, **self.options)
        return opt.step, ps

    def make_torch(self, variant: str) -> Tuple[Callable[[], object], List[object]]:
        torch = self.torch
        ps = [torch.tensor(p, requires_grad=True) for p in self.params]
        for p, g in zip(ps, self.grads):
            p.grad = torch.tensor(g)
        opt = getattr(torch.optim, self.cls)(ps, **self.options, **self.torch_variants[variant])
        return opt.step, ps

    def max_rel_error(self) -> float:
        step_c, ps_c = self.make_convcore()
        step_t, ps_t = self.make_torch("per-tensor")
        for _ in range(3):
            step_c()
            step_t()
        worst = 0.0
        scale = max(float(np.abs(p).max()) for p in self.params)
        for a, b in zip(ps_c, ps_t):
            worst = max(worst, float(np.abs(np.asarray(a) - b.detach().numpy()).max()))
        return worst / scale


HEADER = ("| optimizer | thr | check | convcore ms | torch per-tensor ms | torch foreach ms "
          "| torch fused ms | torch best / convcore |")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = bench_arguments(__doc__.split("\n\n")[0], "only optimizers whose name contains this",
                        repeat=11)
    args = p.parse_args(argv)

    import torch

    import convcore

    repeat, warmup = timing_settings(p, args)
    cases = [c for c in CASES if not args.filter or args.filter.lower() in c[0].lower()]
    if not cases:
        print(f"no optimizer matches --filter {args.filter!r}; have: "
              + ", ".join(c[0] for c in CASES), file=sys.stderr)
        return 2
    n = sum(int(np.prod(s)) for s in resnet18_shapes())
    head = start_report(f"optimizer step on ResNet-18's parameters ({len(resnet18_shapes())} "
                        f"tensors, {n / 1e6:.1f}M floats): convcore vs torch",
                        convcore, torch, args, repeat, warmup,
                        "max |convcore - torch| / max |param| after 3 steps", HEADER)
    rows = []
    for name, cls, options, fused in cases:
        case = Case(cls, options, fused, convcore, torch)
        check = case.max_rel_error()
        for t in args.threads:
            convcore.set_num_threads(t)
            torch.set_num_threads(t)
            step, _ = case.make_convcore()
            mine = median_ms(step, warmup, repeat, args.budget)
            ref: Dict[str, float] = {}
            for variant in ("per-tensor", "foreach", "fused"):
                if variant in case.torch_variants:
                    tstep, _ = case.make_torch(variant)
                    ref[variant] = median_ms(tstep, warmup, repeat, args.budget)
            best = min(ref.values())
            cells = [name, str(t), f"{check:.0e}", fmt_ms(mine)]
            cells += [fmt_ms(ref[v]) if v in ref else "-" for v in ("per-tensor", "foreach", "fused")]
            cells.append(f"{best / mine:.2f}")
            row = "| " + " | ".join(cells) + " |"
            rows.append(row)
            print(row, flush=True)
    if args.markdown_out:
        write_markdown(args.markdown_out, head, HEADER, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
