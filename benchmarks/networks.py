"""Time whole networks in convcore and PyTorch: training steps and inference.

Four workloads, each run by convcore, by PyTorch in its default NCHW layout
and by PyTorch with channels_last (model and input converted once, before
timing), at each thread count:

- lenet5-train: LeNet-5 (scaled tanh, average pooling), batch 64, 1x32x32,
  one SGD step (zero_grad, forward, cross-entropy, backward, step);
- resnet20-train: the CIFAR ResNet-20, batch 128, 3x32x32, one SGD step
  with momentum 0.9 and weight decay 5e-4;
- resnet18-infer-b1 and resnet18-infer-b32: ResNet-18 in eval mode, no
  gradient recorded, 3x224x224, batch 1 and 32.

Every (library, workload, threads) runs in a fresh Python process that
imports only its own library, so that its peak resident set (VmHWM) belongs
to that run alone; the report gives it beside the resident set right after
the import (the library's own code), and the timed figure is the median of
repeated steps after warm-up steps. The torch models are the twins in
torch_models.py: the same layers and parameter counts, random weights.
Images are random too (the time of a step does not depend on the values).

    python benchmarks/networks.py --quick --threads 1
    python benchmarks/networks.py --filter resnet20 --markdown-out results.md

Not measured: data loading (both libraries are fed tensors already in
memory), first-call planning (in the warm-up steps).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from _common import (
    bench_arguments, fmt_ms, median_ms, start_report, timing_settings, write_markdown,
)

HERE = Path(__file__).resolve().parent
LIBRARIES = ("convcore", "torch", "torch-cl")  # torch-cl: torch with channels_last


@dataclass(frozen=True)
class Workload:
    name: str
    model: str          # a function name in convcore.models and in torch_models
    batch: int
    input: Tuple[int, int, int]
    train: bool
    classes: int
    steps: int          # timed steps by default (--quick: a third)


WORKLOADS: List[Workload] = [
    Workload("lenet5-train", "lenet5", 64, (1, 32, 32), True, 10, 60),
    Workload("resnet20-train", "resnet20", 128, (3, 32, 32), True, 10, 12),
    Workload("resnet18-infer-b1", "resnet18", 1, (3, 224, 224), False, 1000, 30),
    Workload("resnet18-infer-b32", "resnet18", 32, (3, 224, 224), False, 1000, 6),
]
BY_NAME: Dict[str, Workload] = {w.name: w for w in WORKLOADS}


# ---------------------------------------------------------------- one run, in its own process


def _rss_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MiB, from /proc (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no {field} in /proc/self/status")


def _step(w: Workload, model, x, y, lib) -> Callable[[], object]:
    """One inference, or one SGD step, of model on (x, y); lib is convcore or torch
    (the same names: no_grad, nn.CrossEntropyLoss, optim.SGD)."""
    if not w.train:
        model.eval()

        def infer():
            with lib.no_grad():
                return model(x)
        return infer

    loss_fn = lib.nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def _convcore_step(w: Workload, x, y) -> Callable[[], object]:
    import convcore
    from convcore import models

    convcore.manual_seed(0)
    model = getattr(models, w.model)(num_classes=w.classes)
    return _step(w, model, convcore.from_numpy(x), y, convcore)  # labels: a NumPy int array


def _torch_step(w: Workload, x, y, channels_last: bool) -> Callable[[], object]:
    import torch

    sys.path.insert(0, str(HERE))
    import torch_models

    torch.manual_seed(0)
    model = getattr(torch_models, w.model)(num_classes=w.classes)
    tx = torch.from_numpy(x)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        tx = tx.contiguous(memory_format=torch.channels_last)
    return _step(w, model, tx, torch.from_numpy(y), torch)


def run_one(library: str, w: Workload, threads: int, steps: int, warmup: int,
            budget_s: float) -> dict:
    """Times one workload in this process; returns median ms per step and resident sets."""
    import numpy as np

    if library == "convcore":
        import convcore
        convcore.set_num_threads(threads)
    else:
        import torch
        torch.set_num_threads(threads)
    rss_import = _rss_mib("VmRSS")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((w.batch,) + w.input, dtype=np.float32)
    y = rng.integers(0, w.classes, w.batch).astype(np.int64)
    fn = (_convcore_step(w, x, y) if library == "convcore"
          else _torch_step(w, x, y, channels_last=library == "torch-cl"))
    ms = median_ms(fn, warmup, steps, budget_s)
    return {"ms": ms, "rss_import_mib": rss_import, "rss_peak_mib": _rss_mib("VmHWM")}


def run_in_subprocess(library: str, w: Workload, threads: int, steps: int, warmup: int,
                      budget_s: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", library, w.name,
           str(threads), str(steps), str(warmup), str(budget_s)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{library} {w.name} at {threads} threads failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the report


HEADER = ("| workload | thr | convcore ms/step | torch ms/step | torch channels_last ms/step "
          "| convcore img/s | best torch img/s | best torch / convcore "
          "| peak RSS MiB convcore | peak RSS MiB torch (best layout) "
          "| RSS after import MiB convcore | RSS after import MiB torch |")


def report_row(w: Workload, threads: int, r: Dict[str, dict]) -> str:
    """One Markdown row; 'best torch' is the faster of the two layouts."""
    best = min(("torch", "torch-cl"), key=lambda lib: r[lib]["ms"])
    cc = r["convcore"]
    ratio = r[best]["ms"] / cc["ms"]
    cells = [w.name, str(threads), fmt_ms(cc["ms"]), fmt_ms(r["torch"]["ms"]),
             fmt_ms(r["torch-cl"]["ms"]),
             f"{w.batch * 1e3 / cc['ms']:.0f}", f"{w.batch * 1e3 / r[best]['ms']:.0f}",
             f"{ratio:.2f}", f"{cc['rss_peak_mib']:.0f}", f"{r[best]['rss_peak_mib']:.0f}",
             f"{cc['rss_import_mib']:.0f}", f"{r['torch']['rss_import_mib']:.0f}"]
    return "| " + " | ".join(cells) + " |"


def timed_steps(w: Workload, args) -> int:
    """--repeat if given, else the workload's steps (a third of them with --quick, at least 3)."""
    return args.repeat or (max(3, w.steps // 3) if args.quick else w.steps)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        library, name, threads, steps, warmup, budget = argv[1:7]
        print(json.dumps(run_one(library, BY_NAME[name], int(threads), int(steps), int(warmup),
                                 float(budget))))
        return 0

    p = bench_arguments(__doc__.split("\n\n")[0], "only workloads whose name contains this",
                        repeat=0, budget=60.0)
    args = p.parse_args(argv)
    _, warmup = timing_settings(p, args)
    workloads = [w for w in WORKLOADS if not args.filter or args.filter.lower() in w.name]
    if not workloads:
        print(f"no workload matches --filter {args.filter!r}; workloads: "
              + ", ".join(w.name for w in WORKLOADS), file=sys.stderr)
        return 2

    import torch

    import convcore

    steps_note = "timed steps per run: " + ", ".join(f"{w.name} {timed_steps(w, args)}"
                                                      for w in workloads)
    timing = (f"- {steps_note} (median reported) after {warmup} warm-up steps; "
              f"threads {args.threads}; each run in its own process")
    head = start_report("Whole networks: convcore vs torch", convcore, torch, args, 0, warmup,
                        "", HEADER, timing=timing)
    rows = []
    for w in workloads:
        for t in args.threads:
            r = {lib: run_in_subprocess(lib, w, t, timed_steps(w, args), warmup, args.budget)
                 for lib in LIBRARIES}
            rows.append(report_row(w, t, r))
            print(rows[-1], flush=True)

    if args.markdown_out:
        write_markdown(args.markdown_out, head, HEADER, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
