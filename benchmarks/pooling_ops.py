"""Time convcore's pooling against PyTorch on the pooling layers of known CNNs.

Both libraries run in the same process on the same inputs with the same
thread count (convcore.set_num_threads and torch.set_num_threads). For each
layer and thread count it reports the median time over repeated runs (after
warm-up) of the forward pass (no gradient recorded, so convcore's max pooling
keeps no indices) and of forward+backward (the forward that training runs,
with indices for max pooling, then the explicit backward: convcore's
_C.*_backward, torch's aten *_backward ops), and torch_time / convcore_time
(above 1: convcore is faster), as a Markdown table. Ratios below 0.67 (more
than 1.5x slower than torch) are listed at the end.

    python benchmarks/pooling_ops.py --quick
    python benchmarks/pooling_ops.py --threads 1 --markdown-out results.md

Not measured: memory use, autograd overhead, 1-D and 3-D pooling.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from _common import (
    bench_arguments, fmt_ms, median_ms, start_report, timing_settings, write_markdown,
)

TARGET = 0.67  # torch_time / convcore_time below this: more than 1.5x slower than torch


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str      # 'max', 'avg' or 'adaptive_avg'
    N: int
    C: int
    H: int
    W: int
    kernel: int = 0
    stride: int = 0
    padding: int = 0
    out: int = 0   # adaptive output size


LAYERS: List[Layer] = [
    Layer("resnet18.maxpool", "max", 32, 64, 112, 112, 3, 2, 1),
    Layer("alexnet.pool1", "max", 32, 96, 55, 55, 3, 2),
    Layer("alexnet.pool2", "max", 32, 256, 27, 27, 3, 2),
    Layer("alexnet.pool5", "max", 32, 256, 13, 13, 3, 2),
    Layer("resnet18.global_avgpool", "adaptive_avg", 32, 512, 7, 7, out=1),
    Layer("densenet121.transition1.avgpool", "avg", 32, 128, 56, 56, 2, 2),
    Layer("alexnet.adaptive_avgpool", "adaptive_avg", 32, 256, 13, 13, out=6),
]


def window_label(layer: Layer) -> str:
    if layer.kind == "adaptive_avg":
        return f"adaptive -> {layer.out}x{layer.out}"
    s = f"{layer.kind} {layer.kernel}x{layer.kernel}/{layer.stride}"
    return s + (f" p{layer.padding}" if layer.padding else "")


class Case:
    """One layer: inputs for both libraries and the four timed calls."""

    def __init__(self, layer: Layer, convcore, torch, seed: int = 0):
        import convcore.functional as F

        L = layer
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((L.N, L.C, L.H, L.W), dtype=np.float32)
        cx, tx = convcore.from_numpy(x), torch.from_numpy(x)
        aten, tf = torch.ops.aten, torch.nn.functional
        k, s, p = [L.kernel] * 2, [L.stride] * 2, [L.padding] * 2
        shape = list(x.shape)
        C = convcore._C

        if L.kind == "max":
            oh = (L.H + 2 * L.padding - L.kernel) // L.stride + 1
            gy = rng.standard_normal((L.N, L.C, oh, oh), dtype=np.float32)
            cgy, tgy = convcore.from_numpy(gy), torch.from_numpy(gy)
            self.cc_forward = lambda: F.max_pool2d(cx, L.kernel, L.stride, L.padding)
            self.torch_forward = lambda: tf.max_pool2d(tx, L.kernel, L.stride, L.padding)

            def cc_fb():
                _, idx = F.max_pool2d(cx, L.kernel, L.stride, L.padding, return_indices=True)
                return C.max_pool_backward(cgy, idx, shape, 2)

            def torch_fb():
                _, idx = aten.max_pool2d_with_indices(tx, k, s, p, [1, 1], False)
                return aten.max_pool2d_with_indices_backward(tgy, tx, k, s, p, [1, 1], False, idx)
        elif L.kind == "avg":
            oh = (L.H + 2 * L.padding - L.kernel) // L.stride + 1
            gy = rng.standard_normal((L.N, L.C, oh, oh), dtype=np.float32)
            cgy, tgy = convcore.from_numpy(gy), torch.from_numpy(gy)
            self.cc_forward = lambda: F.avg_pool2d(cx, L.kernel, L.stride, L.padding)
            self.torch_forward = lambda: tf.avg_pool2d(tx, L.kernel, L.stride, L.padding)

            def cc_fb():
                F.avg_pool2d(cx, L.kernel, L.stride, L.padding)
                return C.avg_pool_backward(cgy, shape, 2, k, s, p, False, True, 0)

            def torch_fb():
                aten.avg_pool2d(tx, k, s, p, False, True, None)
                return aten.avg_pool2d_backward(tgy, tx, k, s, p, False, True, None)
        else:
            gy = rng.standard_normal((L.N, L.C, L.out, L.out), dtype=np.float32)
            cgy, tgy = convcore.from_numpy(gy), torch.from_numpy(gy)
            self.cc_forward = lambda: F.adaptive_avg_pool2d(cx, L.out)
            self.torch_forward = lambda: tf.adaptive_avg_pool2d(tx, L.out)

            def cc_fb():
                F.adaptive_avg_pool2d(cx, L.out)
                return C.adaptive_avg_pool_backward(cgy, shape, 2)

            def torch_fb():
                tf.adaptive_avg_pool2d(tx, L.out)
                return aten._adaptive_avg_pool2d_backward(tgy, tx)

        self.cc_forward_backward, self.torch_forward_backward = cc_fb, torch_fb

    def max_rel_error(self, torch) -> float:
        """Largest difference between the libraries' results, relative to torch's largest value."""
        worst = 0.0
        with torch.no_grad():
            pairs = [(self.cc_forward(), self.torch_forward()),
                     (self.cc_forward_backward(), self.torch_forward_backward())]
        for mine, ref in pairs:
            ref = ref.numpy()
            scale = max(float(np.abs(ref).max()), 1e-6)
            worst = max(worst, float(np.abs(np.asarray(mine) - ref).max()) / scale)
        return worst


HEADER = ("| layer | input N x C x H x W | window | thr | check "
          "| fwd ms convcore | fwd ms torch | fwd torch/convcore "
          "| f+b ms convcore | f+b ms torch | f+b torch/convcore |")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = bench_arguments(__doc__.split("\n\n")[0],
                        "only layers whose name contains this", repeat=9, budget=5.0)
    args = p.parse_args(argv)

    import torch

    import convcore

    repeat, warmup = timing_settings(p, args)
    layers = [l for l in LAYERS if not args.filter or args.filter.lower() in l.name.lower()]
    if not layers:
        print(f"no layer matches --filter {args.filter!r}; layers: "
              + ", ".join(l.name for l in LAYERS), file=sys.stderr)
        return 2

    head = start_report("pooling: convcore vs torch", convcore, torch, args, repeat, warmup,
                        "max |convcore - torch| / max |torch| over output and input gradient", HEADER)
    rows, misses = [], []
    for layer in layers:
        case = Case(layer, convcore, torch)
        check = case.max_rel_error(torch)
        for t in args.threads:
            convcore.set_num_threads(t)
            torch.set_num_threads(t)
            with torch.no_grad():
                ms = [median_ms(fn, warmup, repeat, args.budget) for fn in
                      (case.cc_forward, case.torch_forward, case.cc_forward_backward,
                       case.torch_forward_backward)]
            ratios = (ms[1] / ms[0], ms[3] / ms[2])
            cells = [layer.name, f"{layer.N}x{layer.C}x{layer.H}x{layer.W}", window_label(layer),
                     str(t), f"{check:.0e}", fmt_ms(ms[0]), fmt_ms(ms[1]), f"{ratios[0]:.2f}",
                     fmt_ms(ms[2]), fmt_ms(ms[3]), f"{ratios[1]:.2f}"]
            row = "| " + " | ".join(cells) + " |"
            rows.append(row)
            print(row, flush=True)
            for what, r in zip(("fwd", "f+b"), ratios):
                if r < TARGET:
                    misses.append(f"{layer.name} {what} at {t} thread(s): {r:.2f}")
        del case

    tail = [""]
    tail += ([f"Below the target ratio {TARGET}: " + "; ".join(misses)] if misses
             else [f"Every ratio is at least {TARGET} (no op more than 1.5x slower than torch)."])
    print("\n".join(tail))
    if args.markdown_out:
        write_markdown(args.markdown_out, head, HEADER, rows + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
