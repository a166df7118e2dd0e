"""Timing and machine description shared by the benchmark scripts."""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Callable, List, Optional, Tuple

import numpy as np


def median_ms(fn: Callable[[], object], warmup: int, repeat: int, budget_s: float) -> float:
    """Median wall time of fn() in ms; stops early (after at least 3 runs) past budget_s."""
    for _ in range(warmup):
        fn()
    times = []
    started = time.perf_counter()
    for i in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if i + 1 >= 3 and time.perf_counter() - started > budget_s:
            break
    return statistics.median(times) * 1e3


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines(convcore, torch) -> List[str]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        torch_isa = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        torch_isa = "?"
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores ({usable} usable by this process)",
        f"- convcore {convcore.__version__}, instruction set {convcore.get_isa()} "
        f"(compiled: {', '.join(convcore.compiled_isas())})",
        f"- torch {torch.__version__} (CPU capability {torch_isa}), numpy {np.__version__}, "
        f"Python {platform.python_version()}",
    ]


def fmt_ms(ms: float) -> str:
    return f"{ms:.3f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def bench_arguments(description: str, filter_help: str, repeat: int = 7,
                    budget: float = 10.0) -> argparse.ArgumentParser:
    """The options every benchmark script takes: threads, runs, filter, --quick, Markdown output."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                   help="thread counts to run at, for both libraries (default: 1 2)")
    p.add_argument("--repeat", type=int, default=None,
                   help=f"timed runs per measurement, median reported (default {repeat}, --quick 3)")
    p.add_argument("--warmup", type=int, default=None, help="untimed runs first (default 2, --quick 1)")
    p.add_argument("--budget", type=float, default=budget,
                   help="stop repeating a measurement after this many seconds, once 3 runs are in")
    p.add_argument("--filter", default=None, help=filter_help)
    p.add_argument("--quick", action="store_true",
                   help="only the first batch size of each case, fewer runs")
    p.add_argument("--markdown-out", metavar="FILE", help="also write the report to FILE")
    p.set_defaults(default_repeat=repeat)
    return p


def timing_settings(p: argparse.ArgumentParser, args: argparse.Namespace) -> Tuple[int, int]:
    """(timed runs, warm-up runs) from the parsed arguments; rejects thread counts below 1."""
    if any(t < 1 for t in args.threads):
        p.error("--threads: every count must be at least 1")
    repeat = args.repeat or (3 if args.quick else args.default_repeat)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    return repeat, warmup


def start_report(title: str, convcore, torch, args: argparse.Namespace, repeat: int, warmup: int,
                 check: str, header: str, timing: Optional[str] = None) -> List[str]:
    """Prints (and returns, for write_markdown) the report's description, then the table's header.

    timing replaces the default line on runs and threads."""
    head = [f"# {title}", ""] + machine_lines(convcore, torch)
    head += [timing or f"- {repeat} timed runs (median) after {warmup} warm-up; "
             f"threads {args.threads}; check = {check}", ""]
    print("\n".join(head + [header, "|" + "---|" * header.count(" | ") + "---|"]), flush=True)
    return head


def write_markdown(path: str, head: List[str], header: str, rows: List[str]) -> None:
    """The report as a Markdown file: description lines, then the table."""
    with open(path, "w") as f:
        f.write("\n".join(head + [header, "|" + "---|" * header.count(" | ") + "---|"] + rows) + "\n")
    print(f"\nwrote {path}")
