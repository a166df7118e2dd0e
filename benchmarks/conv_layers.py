"""Time convcore's conv2d against PyTorch on the convolution layers of known CNNs.

Both libraries run in the same process on the same inputs with the same
thread count (convcore.set_num_threads and torch.set_num_threads). For each
layer and thread count it reports the median time over repeated runs (after
warm-up) of the forward pass and of forward+backward (all three gradients:
input, weight and bias), the GFLOP/s that makes, and best_torch_time /
convcore_time (above 1: convcore is faster), as a Markdown table. PyTorch
runs twice: in its default NCHW layout and with channels_last tensors
(converted once, before timing); "best torch" is the faster of the two.

FLOPs: forward 2*N*K*(C/groups)*R*S*OH*OW; forward+backward counted as three
times that (the input and weight gradients each cost about one forward).

    python benchmarks/conv_layers.py --quick --threads 1
    python benchmarks/conv_layers.py --filter resnet18 --markdown-out results.md

Not measured: memory use, first-call (planning) cost, layers other than conv2d.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

# NumPy's own BLAS threads would spin beside the timed libraries' threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

from _common import (  # noqa: E402
    bench_arguments, fmt_ms, median_ms, start_report, timing_settings, write_markdown,
)


@dataclass(frozen=True)
class Layer:
    name: str
    batches: Tuple[int, ...]  # the first is the one --quick keeps
    C: int
    H: int
    W: int
    K: int
    kernel: int
    stride: int = 1
    padding: int = 0
    groups: int = 1


# The suite: input C x H x W -> K channels, square kernel, stride, padding, groups.
LAYERS: List[Layer] = [
    Layer("lenet5.conv1", (64,), 1, 32, 32, 6, 5),
    Layer("lenet5.conv2", (64,), 6, 14, 14, 16, 5),
    Layer("resnet18.stem", (1, 32), 3, 224, 224, 64, 7, stride=2, padding=3),
    Layer("resnet18.layer1.3x3", (1, 32), 64, 56, 56, 64, 3, padding=1),
    Layer("resnet18.layer2.3x3", (1, 32), 128, 28, 28, 128, 3, padding=1),
    Layer("resnet18.layer3.3x3", (1, 32), 256, 14, 14, 256, 3, padding=1),
    Layer("resnet18.layer4.3x3", (1, 32), 512, 7, 7, 512, 3, padding=1),
    Layer("resnet18.downsample.1x1", (1, 32), 64, 56, 56, 128, 1, stride=2),
    Layer("vgg16.conv1_2", (1, 8), 64, 224, 224, 64, 3, padding=1),
    Layer("mobilenet.depthwise.3x3", (1, 32), 32, 112, 112, 32, 3, padding=1, groups=32),
    Layer("mobilenet.pointwise.1x1", (1, 32), 32, 112, 112, 64, 1),
    Layer("resnet20.cifar.3x3", (128,), 16, 32, 32, 16, 3, padding=1),
]


def out_size(n: int, k: int, stride: int, pad: int) -> int:
    return (n + 2 * pad - k) // stride + 1


def forward_flops(layer: Layer, n: int) -> float:
    oh = out_size(layer.H, layer.kernel, layer.stride, layer.padding)
    ow = out_size(layer.W, layer.kernel, layer.stride, layer.padding)
    return 2.0 * n * layer.K * (layer.C // layer.groups) * layer.kernel ** 2 * oh * ow


class Case:
    """One layer at one batch size: inputs for both libraries and the four timed calls."""

    def __init__(self, layer: Layer, n: int, convcore, torch, seed: int = 0):
        import convcore.functional as F

        self.layer, self.n = layer, n
        rng = np.random.default_rng(seed)
        L = layer
        x = rng.standard_normal((n, L.C, L.H, L.W), dtype=np.float32)
        w = rng.standard_normal((L.K, L.C // L.groups, L.kernel, L.kernel), dtype=np.float32)
        w *= 1.0 / np.sqrt(w[0].size)
        b = rng.standard_normal(L.K, dtype=np.float32)
        oh = out_size(L.H, L.kernel, L.stride, L.padding)
        ow = out_size(L.W, L.kernel, L.stride, L.padding)
        gy = rng.standard_normal((n, L.K, oh, ow), dtype=np.float32)
        self.conv = dict(stride=L.stride, padding=L.padding, groups=L.groups)

        cx, cw, cb, cgy = (convcore.from_numpy(a) for a in (x, w, b, gy))
        self.cc_forward = lambda: F.conv2d(cx, cw, cb, **self.conv)

        def cc_forward_backward():
            F.conv2d(cx, cw, cb, **self.conv)
            return F.conv2d_backward(cgy, cx, cw, **self.conv, output_mask=(True, True, True))

        self.cc_forward_backward = cc_forward_backward

        self.torch_forward, self.torch_forward_backward = self._torch_calls(torch, x, w, b, gy, None)
        self.torch_cl_forward, self.torch_cl_forward_backward = self._torch_calls(
            torch, x, w, b, gy, torch.channels_last)

    def _torch_calls(self, torch, x, w, b, gy, memory_format):
        """torch's forward and forward+backward on copies of the inputs in memory_format."""
        L = self.layer
        tx, tw, tgy = (torch.from_numpy(a) for a in (x, w, gy))
        if memory_format is not None:
            tx, tw, tgy = (t.contiguous(memory_format=memory_format) for t in (tx, tw, tgy))
        tb = torch.from_numpy(b)
        tconv = torch.nn.functional.conv2d

        def forward():
            with torch.no_grad():
                return tconv(tx, tw, tb, **self.conv)

        def forward_backward():
            with torch.no_grad():
                tconv(tx, tw, tb, **self.conv)
                return torch.ops.aten.convolution_backward(
                    tgy, tx, tw, [L.K], [L.stride] * 2, [L.padding] * 2, [1, 1], False, [0, 0],
                    L.groups, [True, True, True])

        return forward, forward_backward

    def max_rel_error(self) -> float:
        """Largest difference between the libraries' results, relative to torch's largest value."""
        worst = 0.0
        pairs = [(self.cc_forward(), self.torch_forward())]
        pairs += zip(self.cc_forward_backward(), self.torch_forward_backward())
        for mine, ref in pairs:
            ref = ref.numpy()
            scale = max(float(np.abs(ref).max()), 1e-6)
            worst = max(worst, float(np.abs(np.asarray(mine) - ref).max()) / scale)
        return worst


def layer_label(layer: Layer) -> str:
    s = f"{layer.kernel}x{layer.kernel}"
    s += f"/{layer.stride}" if layer.stride != 1 else ""
    s += f" p{layer.padding}" if layer.padding else ""
    s += f" g{layer.groups}" if layer.groups != 1 else ""
    return s


HEADER = ("| layer | input N x C x H x W | -> K | kernel | thr | check "
          "| fwd ms convcore | fwd ms torch | fwd ms torch CL | fwd GFLOP/s convcore "
          "| fwd GFLOP/s best torch | fwd best torch/convcore "
          "| f+b ms convcore | f+b ms torch | f+b ms torch CL | f+b GFLOP/s convcore "
          "| f+b GFLOP/s best torch | f+b best torch/convcore |")


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = bench_arguments(__doc__.split("\n\n")[0],
                        "only layers whose name (e.g. 'resnet18.layer1.3x3 b32') contains this")
    args = p.parse_args(argv)

    import torch

    import convcore

    repeat, warmup = timing_settings(p, args)
    cases = [(layer, n) for layer in LAYERS for n in (layer.batches[:1] if args.quick else layer.batches)]
    if args.filter:
        cases = [(l, n) for l, n in cases if args.filter.lower() in f"{l.name} b{n}".lower()]
    if not cases:
        print(f"no layer matches --filter {args.filter!r}; layers: "
              + ", ".join(l.name for l in LAYERS), file=sys.stderr)
        return 2

    head = start_report("conv2d: convcore vs torch", convcore, torch, args, repeat, warmup,
                        "max |convcore - torch| / max |torch| over output and gradients", HEADER)
    rows = []
    for layer, n in cases:
        case = Case(layer, n, convcore, torch)
        check = case.max_rel_error()
        gflop = forward_flops(layer, n) / 1e9
        for t in args.threads:
            convcore.set_num_threads(t)
            torch.set_num_threads(t)
            cells = [layer.name, f"{n}x{layer.C}x{layer.H}x{layer.W}", str(layer.K),
                     layer_label(layer), str(t), f"{check:.0e}"]
            passes = ((1, case.cc_forward, case.torch_forward, case.torch_cl_forward),
                      (3, case.cc_forward_backward, case.torch_forward_backward,
                       case.torch_cl_forward_backward))
            for flop_factor, *fns in passes:
                mine, nchw, cl = (median_ms(fn, warmup, repeat, args.budget) for fn in fns)
                best = min(nchw, cl)
                cells += [fmt_ms(mine), fmt_ms(nchw), fmt_ms(cl),
                          f"{flop_factor * gflop / mine * 1e3:.1f}",
                          f"{flop_factor * gflop / best * 1e3:.1f}", f"{best / mine:.2f}"]
            row = "| " + " | ".join(cells) + " |"
            rows.append(row)
            print(row, flush=True)
        del case

    if args.markdown_out:
        write_markdown(args.markdown_out, head, HEADER, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
