"""Hyperparameter search as the decks teach it: grid, random, coarse to fine.

A search space maps a name to how to draw it: a list of values (grid),
or a Range(low, high, log=True) sampled uniformly on a log scale (rates,
regularisation strengths) or linearly. The objective is any callable
taking a dict of values and returning a score (higher is better with
mode="max", e.g. validation accuracy after a few iterations). refine()
narrows each range around the best trials for the second, finer round.
Left out: early stopping of trials, Bayesian search, parallel trials.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Sequence, Union

import numpy as np


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    log: bool = True

    def __post_init__(self):
        if not self.low < self.high:
            raise ValueError(f"Range: low must be below high, got {self.low} and {self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"Range: a log-uniform range needs low > 0, got {self.low}")

    def sample(self, rng: np.random.Generator) -> float:
        if self.log:
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        return float(rng.uniform(self.low, self.high))


Space = Dict[str, Union[Range, Sequence[Any]]]


@dataclass
class Trial:
    params: Dict[str, Any]
    score: float
    seconds: float


@dataclass
class SearchResult:
    trials: List[Trial] = field(default_factory=list)
    mode: str = "max"

    def ranked(self) -> List[Trial]:
        """Trials best first (NaN scores, e.g. diverged runs, last)."""
        sign = -1.0 if self.mode == "max" else 1.0
        return sorted(self.trials, key=lambda t: (math.isnan(t.score), sign * t.score))

    @property
    def best(self) -> Trial:
        if not self.trials:
            raise ValueError("search: no trials were run")
        return self.ranked()[0]

    def __str__(self) -> str:
        names = sorted({k for t in self.trials for k in t.params})
        lines = ["  ".join(f"{n:>12}" for n in names) + f"  {'score':>8}  {'seconds':>7}"]
        for t in self.ranked():
            values = "  ".join(f"{t.params[n]:>12.4g}" if isinstance(t.params[n], float)
                               else f"{t.params[n]!s:>12}" for n in names)
            lines.append(f"{values}  {t.score:>8.4f}  {t.seconds:>7.1f}")
        return "\n".join(lines)


def _check_mode(mode: str) -> None:
    if mode not in ("max", "min"):
        raise ValueError(f"mode: expected 'max' or 'min', got {mode!r}")


def _run(objective: Callable[[Dict[str, Any]], float], candidates, mode: str,
         verbose: bool) -> SearchResult:
    result = SearchResult(mode=mode)
    for params in candidates:
        start = time.perf_counter()
        score = float(objective(dict(params)))
        result.trials.append(Trial(dict(params), score, time.perf_counter() - start))
        if verbose:
            shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in params.items())
            print(f"trial {len(result.trials)}: {shown} -> {score:.4f}")
    return result


def grid_search(objective, space: Dict[str, Sequence[Any]], mode: str = "max",
                verbose: bool = False) -> SearchResult:
    """Every combination of the listed values (each entry of space a list)."""
    _check_mode(mode)
    for name, values in space.items():
        if isinstance(values, Range) or isinstance(values, (str, bytes)) or len(values) == 0:
            raise ValueError(f"space[{name!r}]: grid search needs a non-empty list of values")
    names = list(space)
    combos = (dict(zip(names, values)) for values in itertools.product(*space.values()))
    return _run(objective, combos, mode, verbose)


def random_search(objective, space: Space, trials: int, seed: int = 0, mode: str = "max",
                  verbose: bool = False) -> SearchResult:
    """`trials` independent draws: Ranges sampled (log-uniform by default), lists chosen from."""
    _check_mode(mode)
    if trials < 1:
        raise ValueError(f"trials: expected a positive count, got {trials}")
    rng = np.random.default_rng(seed)

    def draw(values):
        if isinstance(values, Range):
            return values.sample(rng)
        if len(values) == 0:
            raise ValueError("space: an empty list of values")
        return values[int(rng.integers(len(values)))]

    candidates = [{name: draw(values) for name, values in space.items()} for _ in range(trials)]
    return _run(objective, candidates, mode, verbose)


def refine(result: SearchResult, space: Space, top: int = 3, margin: float = 2.0) -> Space:
    """A finer space around the `top` best trials: each Range shrinks to the span of their
    values, widened by `margin` (a factor on log ranges, a fraction of the span otherwise) and
    kept inside the original range; list entries keep the values those trials used."""
    best = [t for t in result.ranked()[:top] if not math.isnan(t.score)]
    if not best:
        raise ValueError("refine: no finished trial to refine around")
    fine: Space = {}
    for name, values in space.items():
        seen = [t.params[name] for t in best]
        if isinstance(values, Range):
            lo, hi = min(seen), max(seen)
            if values.log:
                lo, hi = lo / margin, hi * margin
            else:
                pad = (hi - lo) * (margin - 1) / 2 or (values.high - values.low) * 0.05
                lo, hi = lo - pad, hi + pad
            fine[name] = Range(max(lo, values.low), min(hi, values.high), values.log)
        else:
            fine[name] = [v for v in values if v in seen]
    return fine


def coarse_to_fine(objective, space: Space, coarse_trials: int, fine_trials: int,
                   seed: int = 0, top: int = 3, mode: str = "max", verbose: bool = False):
    """Random search over space, then again over refine(first round): (coarse, fine) results."""
    coarse = random_search(objective, space, coarse_trials, seed, mode, verbose)
    fine = random_search(objective, refine(coarse, space, top), fine_trials, seed + 1, mode,
                         verbose)
    return coarse, fine
