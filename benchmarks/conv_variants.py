"""Time convcore's conv1d, conv3d and conv_transpose2d against PyTorch on layers of known models.

Both libraries run in the same process on the same inputs with the same
thread count. For each layer and thread count it reports the median time
(after warm-up) of the forward pass and of forward+backward through autograd
(gradients of input, weight and bias, grad_output given), the GFLOP/s that
makes, and torch_time / convcore_time (above 1: convcore is faster), as a
Markdown table.

FLOPs: forward 2 * (multiply-adds of the convolution); forward+backward
counted as three times that. A transposed convolution's multiply-adds are
those of the convolution it is the input gradient of.

    python benchmarks/conv_variants.py --quick --threads 1
    python benchmarks/conv_variants.py --filter conv3d --markdown-out results.md

Not measured: memory use, first-call cost, conv_transpose1d/3d (they share
conv_transpose2d's and conv3d's code).
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from _common import (
    bench_arguments, fmt_ms, median_ms, start_report, timing_settings, write_markdown,
)


@dataclass(frozen=True)
class Layer:
    name: str
    op: str                      # 'conv1d', 'conv3d' or 'conv_transpose2d'
    batches: Tuple[int, ...]     # the first is the one --quick keeps
    C: int
    spatial: Tuple[int, ...]     # input L, (H, W) or (D, H, W)
    K: int                       # output channels
    kernel: Tuple[int, ...]
    stride: Tuple[int, ...]
    padding: Tuple[int, ...]
    dilation: Tuple[int, ...] = ()
    output_padding: Tuple[int, ...] = ()

    @property
    def nd(self) -> int:
        return len(self.spatial)

    def options(self) -> dict:
        kw = dict(stride=self.stride, padding=self.padding, dilation=self.dilation or (1,) * self.nd)
        if self.op == "conv_transpose2d":
            kw["output_padding"] = self.output_padding or (0,) * self.nd
        return kw

    def out_spatial(self) -> Tuple[int, ...]:
        d = self.dilation or (1,) * self.nd
        if self.op == "conv_transpose2d":
            op = self.output_padding or (0,) * self.nd
            sizes = zip(self.spatial, self.kernel, self.stride, self.padding, d, op)
            return tuple((n - 1) * s - 2 * p + dd * (k - 1) + 1 + o for n, k, s, p, dd, o in sizes)
        return tuple((n + 2 * p - dd * (k - 1) - 1) // s + 1
                     for n, k, s, p, dd in zip(self.spatial, self.kernel, self.stride, self.padding, d))

    def forward_flops(self, n: int) -> float:
        # Multiply-adds = outputs of the direct convolution x kernel taps x channels in.
        positions = math.prod(self.spatial if self.op == "conv_transpose2d" else self.out_spatial())
        return 2.0 * n * self.K * self.C * math.prod(self.kernel) * positions


LAYERS: List[Layer] = [
    Layer("tcn.dilated.k3", "conv1d", (8,), 128, (1000,), 128, (3,), (1,), (4,), (4,)),
    Layer("speech.conv.k5", "conv1d", (8,), 256, (800,), 256, (5,), (1,), (2,)),
    Layer("wav2vec.stem.k10s5", "conv1d", (4,), 1, (16000,), 512, (10,), (5,), (0,)),
    Layer("c3d.conv2", "conv3d", (1, 4), 64, (8, 28, 28), 128, (3, 3, 3), (1, 1, 1), (1, 1, 1)),
    Layer("i3d.stem.3x7x7s2", "conv3d", (1,), 3, (16, 112, 112), 64, (3, 7, 7), (1, 2, 2), (1, 3, 3)),
    Layer("unet3d.32^3", "conv3d", (1,), 32, (32, 32, 32), 32, (3, 3, 3), (1, 1, 1), (1, 1, 1)),
    Layer("resnet3d.down.s2", "conv3d", (2,), 64, (8, 28, 28), 128, (3, 3, 3), (2, 2, 2), (1, 1, 1)),
    Layer("dcgan.g2.4x4s2", "conv_transpose2d", (16,), 512, (4, 4), 256, (4, 4), (2, 2), (1, 1)),
    Layer("dcgan.g4.4x4s2", "conv_transpose2d", (16,), 128, (16, 16), 64, (4, 4), (2, 2), (1, 1)),
    Layer("unet.up.2x2s2", "conv_transpose2d", (4,), 256, (32, 32), 128, (2, 2), (2, 2), (0, 0)),
    Layer("fcn.up.3x3s2", "conv_transpose2d", (4,), 64, (28, 28), 64, (3, 3), (2, 2), (1, 1),
          output_padding=(1, 1)),
]


class Case:
    """One layer at one batch size: inputs for both libraries and the four timed calls."""

    def __init__(self, layer: Layer, n: int, convcore, torch, seed: int = 0):
        import convcore.functional as F

        L = layer
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, L.C) + L.spatial, dtype=np.float32)
        if L.op == "conv_transpose2d":
            w = rng.standard_normal((L.C, L.K) + L.kernel, dtype=np.float32)
        else:
            w = rng.standard_normal((L.K, L.C) + L.kernel, dtype=np.float32)
        w *= 1.0 / np.sqrt(L.C * math.prod(L.kernel))
        b = rng.standard_normal(L.K, dtype=np.float32)
        gy = rng.standard_normal((n, L.K) + L.out_spatial(), dtype=np.float32)
        kw = L.options()
        cc_fn, torch_fn = getattr(F, L.op), getattr(torch.nn.functional, L.op)

        cx, cw, cb, cgy = (convcore.from_numpy(a) for a in (x, w, b, gy))
        self.cc_forward = lambda: cc_fn(cx, cw, cb, **kw)
        gx, gw, gb = (convcore.tensor(a, requires_grad=True) for a in (x, w, b))

        def cc_forward_backward():
            for t in (gx, gw, gb):
                t.grad = None
            cc_fn(gx, gw, gb, **kw).backward(cgy)
            return gx.grad, gw.grad, gb.grad

        self.cc_forward_backward = cc_forward_backward

        tx, tw, tb, tgy = (torch.from_numpy(a) for a in (x, w, b, gy))
        ux, uw, ub = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, w, b))

        def torch_forward():
            with torch.no_grad():
                return torch_fn(tx, tw, tb, **kw)

        def torch_forward_backward():
            for t in (ux, uw, ub):
                t.grad = None
            torch_fn(ux, uw, ub, **kw).backward(tgy)
            return ux.grad, uw.grad, ub.grad

        self.torch_forward, self.torch_forward_backward = torch_forward, torch_forward_backward

    def max_rel_error(self) -> float:
        """Largest difference between the libraries' results, relative to torch's largest value."""
        worst = 0.0
        pairs = [(self.cc_forward(), self.torch_forward())]
        pairs += zip(self.cc_forward_backward(), self.torch_forward_backward())
        for mine, ref in pairs:
            ref = ref.detach().numpy()
            scale = max(float(np.abs(ref).max()), 1e-6)
            worst = max(worst, float(np.abs(np.asarray(mine) - ref).max()) / scale)
        return worst


def layer_label(layer: Layer) -> str:
    s = "x".join(map(str, layer.kernel))
    if any(v != 1 for v in layer.stride):
        s += "/" + "x".join(map(str, layer.stride))
    if any(layer.padding):
        s += " p" + "x".join(map(str, layer.padding))
    if layer.dilation and any(v != 1 for v in layer.dilation):
        s += " d" + "x".join(map(str, layer.dilation))
    if layer.output_padding and any(layer.output_padding):
        s += " op" + "x".join(map(str, layer.output_padding))
    return s


HEADER = ("| layer | op | input N x C x spatial | -> K | kernel | thr | check "
          "| fwd ms convcore | fwd ms torch | fwd GFLOP/s convcore | fwd torch/convcore "
          "| f+b ms convcore | f+b ms torch | f+b GFLOP/s convcore | f+b torch/convcore |")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = bench_arguments(__doc__.split("\n\n")[0],
                        "only layers whose name, op or batch (e.g. 'conv3d', 'dcgan', 'b16') contains this")
    args = p.parse_args(argv)

    import torch

    import convcore

    repeat, warmup = timing_settings(p, args)
    cases = [(layer, n) for layer in LAYERS for n in (layer.batches[:1] if args.quick else layer.batches)]
    if args.filter:
        cases = [(l, n) for l, n in cases if args.filter.lower() in f"{l.name} {l.op} b{n}".lower()]
    if not cases:
        print(f"no layer matches --filter {args.filter!r}; layers: " + ", ".join(l.name for l in LAYERS),
              file=sys.stderr)
        return 2

    head = start_report("conv1d / conv3d / conv_transpose2d: convcore vs torch", convcore, torch, args,
                        repeat, warmup, "max |convcore - torch| / max |torch| over output and gradients",
                        HEADER)
    rows = []
    for layer, n in cases:
        case = Case(layer, n, convcore, torch)
        check = case.max_rel_error()
        gflop = layer.forward_flops(n) / 1e9
        for t in args.threads:
            convcore.set_num_threads(t)
            torch.set_num_threads(t)
            ms = [median_ms(fn, warmup, repeat, args.budget) for fn in
                  (case.cc_forward, case.torch_forward, case.cc_forward_backward, case.torch_forward_backward)]
            cells = [layer.name, layer.op, f"{n}x{layer.C}x" + "x".join(map(str, layer.spatial)), str(layer.K),
                     layer_label(layer), str(t), f"{check:.0e}",
                     fmt_ms(ms[0]), fmt_ms(ms[1]), f"{gflop / ms[0] * 1e3:.1f}", f"{ms[1] / ms[0]:.2f}",
                     fmt_ms(ms[2]), fmt_ms(ms[3]), f"{3 * gflop / ms[2] * 1e3:.1f}", f"{ms[3] / ms[2]:.2f}"]
            rows.append("| " + " | ".join(cells) + " |")
            print(rows[-1], flush=True)
        del case

    if args.markdown_out:
        write_markdown(args.markdown_out, head, HEADER, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
