"""Time convcore's activation, normalisation, dropout, linear and loss ops against PyTorch.

Both libraries run in the same process on the same inputs with the same
thread count. For each case it reports the median time of the forward pass
and of forward+backward (through each library's autograd: inputs that
require grad, out.backward(grad)), and torch_time / convcore_time (above 1:
convcore is faster), as a Markdown table. Shapes are ResNet-18 / AlexNet
layers at batch 32.

    python benchmarks/norm_activation_ops.py --quick --threads 1
    python benchmarks/norm_activation_ops.py --filter batch_norm --markdown-out results.md

Not measured: memory use, first-call costs, in-place variants.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from _common import (
    bench_arguments, fmt_ms, median_ms, start_report, timing_settings, write_markdown,
)


@dataclass(frozen=True)
class Op:
    name: str
    shape: Tuple[int, ...]
    note: str = ""


OPS: List[Op] = [
    Op("batch_norm", (32, 64, 112, 112), "training, ResNet-18 stem"),
    Op("batch_norm", (32, 256, 14, 14), "training, ResNet-18 layer3"),
    Op("relu", (32, 64, 112, 112), "ResNet-18 stem"),
    Op("local_response_norm", (32, 96, 55, 55), "size 5, AlexNet norm1"),
    Op("softmax", (32, 1000), "dim 1"),
    Op("log_softmax", (32, 1000), "dim 1"),
    Op("cross_entropy", (32, 1000), "class indices"),
    Op("dropout", (32, 4096), "p 0.5, AlexNet fc6"),
    Op("linear", (32, 9216), "-> 4096, AlexNet fc6"),
]


class Case:
    """Inputs for both libraries and the four timed calls of one op."""

    def __init__(self, op: Op, convcore, torch, seed: int = 0):
        import convcore.functional as F
        tF = torch.nn.functional
        rng = np.random.default_rng(seed)
        self.op = op
        x = rng.standard_normal(op.shape, dtype=np.float32)
        extra_cc: Dict[str, object] = {}
        extra_t: Dict[str, object] = {}
        params: List[np.ndarray] = []  # leaves that get gradients besides x
        if op.name == "batch_norm":
            C = op.shape[1]
            params = [rng.standard_normal(C, dtype=np.float32), rng.standard_normal(C, dtype=np.float32)]
            rm, rv = np.zeros(C, np.float32), np.ones(C, np.float32)
            cc_rm, cc_rv = convcore.tensor(rm), convcore.tensor(rv)
            t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
            cc_fn = lambda x, w, b: F.batch_norm(x, cc_rm, cc_rv, w, b, training=True)
            t_fn = lambda x, w, b: tF.batch_norm(x, t_rm, t_rv, w, b, training=True)
        elif op.name == "relu":
            cc_fn, t_fn = F.relu, torch.relu
        elif op.name == "local_response_norm":
            cc_fn = lambda x: F.local_response_norm(x, 5, 1e-4, 0.75, 2.0)
            t_fn = lambda x: tF.local_response_norm(x, 5, 1e-4, 0.75, 2.0)
        elif op.name in ("softmax", "log_softmax"):
            cc_fn = lambda x: getattr(F, op.name)(x, 1)
            t_fn = lambda x: getattr(tF, op.name)(x, 1)
        elif op.name == "cross_entropy":
            target = rng.integers(0, op.shape[1], op.shape[0])
            tt = torch.from_numpy(target)
            cc_fn = lambda x: F.cross_entropy(x, target)
            t_fn = lambda x: tF.cross_entropy(x, tt)
        elif op.name == "dropout":
            convcore.manual_seed(0)
            torch.manual_seed(0)
            cc_fn = lambda x: F.dropout(x, 0.5, True)
            t_fn = lambda x: tF.dropout(x, 0.5, True)
        elif op.name == "linear":
            w = (rng.standard_normal((4096, op.shape[1]), dtype=np.float32)
                 / np.float32(np.sqrt(op.shape[1])))
            params = [w, rng.standard_normal(4096, dtype=np.float32)]
            cc_fn, t_fn = F.linear, tF.linear
        else:
            raise ValueError(op.name)

        cc_in = [convcore.tensor(a, requires_grad=True) for a in [x] + params]
        t_in = [torch.tensor(a, requires_grad=True) for a in [x] + params]
        out_shape = tuple(t_fn(*t_in).shape)
        g = rng.standard_normal(out_shape, dtype=np.float32) if out_shape else np.float32(1.0)
        cc_g, t_g = convcore.tensor(np.asarray(g, np.float32)), torch.tensor(g)

        def cc_forward():
            with convcore.no_grad():
                return cc_fn(*cc_in)

        def cc_forward_backward():
            for t in cc_in:
                t.grad = None
            cc_fn(*cc_in).backward(cc_g)
            return [t.grad for t in cc_in]

        def torch_forward():
            with torch.no_grad():
                return t_fn(*t_in)

        def torch_forward_backward():
            for t in t_in:
                t.grad = None
            t_fn(*t_in).backward(t_g)
            return [t.grad for t in t_in]

        self.cc_forward, self.cc_forward_backward = cc_forward, cc_forward_backward
        self.torch_forward, self.torch_forward_backward = torch_forward, torch_forward_backward
        self.random = op.name == "dropout"

    def max_rel_error(self) -> float:
        """Largest difference between the libraries' results, relative to torch's largest value
        (dropout: the masks differ by design, so only the scale of kept values is compared)."""
        if self.random:
            mine = np.asarray(self.cc_forward())
            ref = self.torch_forward().numpy()
            kept_m, kept_t = mine[mine != 0], ref[ref != 0]
            return abs(np.abs(kept_m).mean() - np.abs(kept_t).mean()) / np.abs(kept_t).mean()
        worst = 0.0
        pairs = [(self.cc_forward(), self.torch_forward())]
        pairs += zip(self.cc_forward_backward(), self.torch_forward_backward())
        for mine, ref in pairs:
            ref = ref.detach().numpy()
            scale = max(float(np.abs(ref).max()), 1e-6)
            worst = max(worst, float(np.abs(np.asarray(mine) - ref).max()) / scale)
        return worst


HEADER = ("| op | input | notes | thr | check | fwd ms convcore | fwd ms torch | fwd torch/convcore "
          "| f+b ms convcore | f+b ms torch | f+b torch/convcore |")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = bench_arguments(__doc__.split("\n\n")[0], "only ops whose name contains this")
    args = p.parse_args(argv)

    import torch

    import convcore

    repeat, warmup = timing_settings(p, args)
    ops = [o for o in OPS if not args.filter or args.filter.lower() in o.name.lower()]
    if not ops:
        print(f"no op matches --filter {args.filter!r}; ops: "
              + ", ".join(sorted({o.name for o in OPS})), file=sys.stderr)
        return 2

    head = start_report("activations, normalisation, dropout, linear, losses: convcore vs torch",
                        convcore, torch, args, repeat, warmup,
                        "max |convcore - torch| / max |torch| over output and gradients (dropout: "
                        "relative difference of the kept values' mean magnitude); forward+backward "
                        "through autograd in both libraries", HEADER)
    rows = []
    for op in ops:
        case = Case(op, convcore, torch)
        check = case.max_rel_error()
        for t in args.threads:
            convcore.set_num_threads(t)
            torch.set_num_threads(t)
            ms = [median_ms(fn, warmup, repeat, args.budget) for fn in
                  (case.cc_forward, case.torch_forward, case.cc_forward_backward,
                   case.torch_forward_backward)]
            cells = [op.name, "x".join(map(str, op.shape)), op.note, str(t), f"{check:.0e}",
                     fmt_ms(ms[0]), fmt_ms(ms[1]), f"{ms[1] / ms[0]:.2f}",
                     fmt_ms(ms[2]), fmt_ms(ms[3]), f"{ms[3] / ms[2]:.2f}"]
            row = "| " + " | ".join(cells) + " |"
            rows.append(row)
            print(row, flush=True)
        del case

    if args.markdown_out:
        write_markdown(args.markdown_out, head, HEADER, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
