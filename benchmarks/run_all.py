"""Run every benchmark against PyTorch and write docs/benchmarks.md.

Runs, one after another and each in its own process, the layer suite
(conv_layers.py), the other convolutions (conv_variants.py), pooling
(pooling_ops.py), activations and normalisation (norm_activation_ops.py),
the optimizer step (optim_step.py) and the whole networks (networks.py), at
the same thread counts, then writes one Markdown report: the machine, a
headline summary of the ratio columns (torch time / convcore time, above 1:
convcore is faster) and every table.

    python benchmarks/run_all.py                   # about 15-20 minutes on 2 cores
    python benchmarks/run_all.py --quick --out /tmp/bench.md

Anything after -- goes to every script (for instance -- --repeat 5).
"""
from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The lines of each script's report that describe the machine: written once, at the top.
MACHINE_LINES = ("- CPU", "- convcore", "- torch")

# (script, section title); the order of the report.
SCRIPTS = [
    ("networks.py", "Whole networks"),
    ("conv_layers.py", "conv2d: the layer suite"),
    ("conv_variants.py", "conv1d, conv3d, conv_transpose2d"),
    ("pooling_ops.py", "Pooling"),
    ("norm_activation_ops.py", "Activations, normalisation, dropout, linear, losses"),
    ("optim_step.py", "Optimizer step"),
]


def parse_table(lines: List[str]) -> List[Dict[str, str]]:
    """The rows of the first Markdown table in lines, as dicts keyed by the header's cells."""
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    header = [c.strip() for c in lines[start].strip().strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (c.strip() for c in line.strip().strip("|").split("|")))))
    return rows


def ratio_summary(rows: List[Dict[str, str]]) -> List[str]:
    """Per ratio column and thread count: geometric mean, lowest, and rows below 1."""
    out = []
    columns = [c for c in (rows[0] if rows else {}) if "/ convcore" in c or "/convcore" in c]
    threads = sorted({r.get("thr", "") for r in rows})
    for column in columns:
        for t in threads:
            values = [float(r[column]) for r in rows if r.get("thr", "") == t and r[column]]
            if not values:
                continue
            geo = math.exp(sum(math.log(v) for v in values) / len(values))
            behind = sum(v < 1.0 for v in values)
            out.append(f"| {column} | {t or '-'} | {len(values)} | {geo:.2f} | {min(values):.2f} "
                       f"| {max(values):.2f} | {behind} |")
    return out


def machine_description() -> List[str]:
    """What the tables' figures depend on: CPU, its vector extensions, memory, OS, compiler."""
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    flags = ", ".join(x for x in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                                                  "avx512_bf16", "amx_tile") if x in have)
                    break
    except OSError:
        pass
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB memory"
    except (ValueError, OSError):
        pass
    out = [f"- {platform.platform()}, {os.cpu_count()} logical cores{mem}"]
    if flags:
        out.append(f"- vector extensions: {flags}")
    try:
        cc = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()
        if cc:
            out.append(f"- compiler on PATH (the one `pip install .` uses): {cc[0]}")
    except OSError:
        pass
    return out


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--quick", action="store_true", help="each script's --quick: fewer cases and runs")
    p.add_argument("--only", nargs="+", metavar="SCRIPT", help="run only these scripts (e.g. networks.py)")
    p.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = p.parse_args(argv)
    scripts = [(s, t) for s, t in SCRIPTS if not args.only or s in args.only]
    if not scripts:
        p.error(f"--only: no such script; choose from {', '.join(s for s, _ in SCRIPTS)}")

    started = time.perf_counter()
    sections, summary, first_head = [], [], None
    with tempfile.TemporaryDirectory() as tmp:
        for script, title in scripts:
            md = Path(tmp) / (script + ".md")
            cmd = [sys.executable, str(HERE / script), "--threads", *map(str, args.threads),
                   "--markdown-out", str(md), *(["--quick"] if args.quick else []), *passthrough]
            print(f"== {script}", flush=True)
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=HERE, check=True)
            lines = md.read_text().splitlines()
            table_at = next(i for i, line in enumerate(lines) if line.startswith("| "))
            head = [line for line in lines[1:table_at] if line.strip()]
            first_head = first_head or [line for line in head if line.startswith(MACHINE_LINES)]
            doc = (HERE / script).read_text().split('"""')[1].strip().split("\n\n")
            rows = parse_table(lines)
            summary += [f"| **{title}** | | | | | | |"] + ratio_summary(rows)
            sections += [f"## {title}", "", "\n".join(doc[1:2]), "",
                         f"`python benchmarks/{script}` ({time.perf_counter() - t0:.0f} s)", ""]
            sections += [line for line in head if not line.startswith(MACHINE_LINES)]
            sections += [""] + lines[table_at:] + [""]

    report = ["# Benchmarks", "",
              f"Written by `python benchmarks/run_all.py{' --quick' if args.quick else ''}` on "
              f"{datetime.date.today().isoformat()} at commit {git_commit()} in "
              f"{(time.perf_counter() - started) / 60:.0f} minutes. Both libraries run on the same "
              "machine in the same session at the same thread count; each figure is a median of "
              "repeated runs. The ratios are PyTorch's time over convcore's: above 1, convcore is "
              "faster. Shared cloud machines are noisy by 10% or more from run to run; compare "
              "ratios, which come from one run.", "",
              "## Machine", ""] + (first_head or []) + machine_description() + [
              "", "## Summary of the ratios", "",
              "| ratio column | threads | rows | geometric mean | lowest | highest | rows below 1 |",
              "|---|---|---|---|---|---|---|"] + summary + [""] + sections
    Path(args.out).write_text("\n".join(report).rstrip() + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
