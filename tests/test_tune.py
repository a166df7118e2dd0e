"""convcore.tune: grid, random (log-uniform) and coarse-to-fine search."""
import math

import numpy as np
import pytest

from convcore import tune


def bowl(params):
    """Best at lr = 1e-3, reg = 1e-2: a score that peaks there on log scales."""
    return -((math.log10(params["lr"]) + 3) ** 2 + (math.log10(params["reg"]) + 2) ** 2)


def test_grid_search_tries_every_combination_and_ranks_them():
    seen = []
    result = tune.grid_search(lambda p: seen.append(p) or bowl(p),
                              {"lr": [1e-4, 1e-3, 1e-2], "reg": [1e-3, 1e-2]})
    assert len(seen) == 6 and len({(p["lr"], p["reg"]) for p in seen}) == 6
    assert result.best.params == {"lr": 1e-3, "reg": 1e-2}
    scores = [t.score for t in result.ranked()]
    assert scores == sorted(scores, reverse=True)


def test_log_uniform_samples_are_uniform_in_log_space():
    rng = np.random.default_rng(0)
    r = tune.Range(1e-6, 1e-1)
    logs = np.log10([r.sample(rng) for _ in range(20000)])
    assert logs.min() >= -6 and logs.max() <= -1
    # each decade gets a fifth of the draws (a linear draw would put 90% in the last one)
    counts = np.histogram(logs, bins=5, range=(-6, -1))[0] / len(logs)
    np.testing.assert_allclose(counts, 0.2, atol=0.02)
    linear = tune.Range(0.0, 1.0, log=False)
    values = [linear.sample(rng) for _ in range(20000)]
    assert abs(np.mean(values) - 0.5) < 0.01


def test_random_search_is_reproducible_per_seed_and_draws_from_lists():
    space = {"lr": tune.Range(1e-5, 1.0), "batch": [32, 64, 128]}
    a = tune.random_search(lambda p: -p["lr"], space, trials=8, seed=3)
    b = tune.random_search(lambda p: -p["lr"], space, trials=8, seed=3)
    c = tune.random_search(lambda p: -p["lr"], space, trials=8, seed=4)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]
    assert all(t.params["batch"] in (32, 64, 128) for t in a.trials)
    assert a.best.params["lr"] == min(t.params["lr"] for t in a.trials)


def test_refine_narrows_ranges_around_the_best_trials():
    space = {"lr": tune.Range(1e-6, 1.0), "reg": tune.Range(1e-5, 10.0)}
    coarse = tune.random_search(bowl, space, trials=30, seed=0)
    fine_space = tune.refine(coarse, space, top=3)
    top = coarse.ranked()[:3]
    for name in space:
        values = [t.params[name] for t in top]
        assert fine_space[name].low == pytest.approx(max(min(values) / 2, space[name].low))
        assert fine_space[name].high == pytest.approx(min(max(values) * 2, space[name].high))
        assert math.log(fine_space[name].high / fine_space[name].low) < \
            math.log(space[name].high / space[name].low)


def test_coarse_to_fine_improves_on_the_coarse_round():
    space = {"lr": tune.Range(1e-6, 1.0), "reg": tune.Range(1e-5, 10.0)}
    coarse, fine = tune.coarse_to_fine(bowl, space, coarse_trials=15, fine_trials=15, seed=1)
    assert len(coarse.trials) == 15 and len(fine.trials) == 15
    assert fine.best.score >= coarse.best.score
    assert abs(math.log10(fine.best.params["lr"]) + 3) < 0.5


def test_minimising_and_nan_scores_rank_last():
    result = tune.grid_search(lambda p: p["x"], {"x": [3.0, float("nan"), 1.0, 2.0]}, mode="min")
    assert [t.params["x"] for t in result.ranked()][:3] == [1.0, 2.0, 3.0]
    assert math.isnan(result.ranked()[-1].score)
    assert "score" in str(result)


def test_bad_search_arguments_raise():
    with pytest.raises(ValueError, match="low must be below high"):
        tune.Range(1.0, 0.5)
    with pytest.raises(ValueError, match="log-uniform"):
        tune.Range(0.0, 1.0)
    with pytest.raises(ValueError, match="mode"):
        tune.grid_search(bowl, {"lr": [1.0]}, mode="best")
    with pytest.raises(ValueError, match="non-empty list"):
        tune.grid_search(bowl, {"lr": tune.Range(1e-3, 1.0)})
    with pytest.raises(ValueError, match="trials"):
        tune.random_search(bowl, {"lr": tune.Range(1e-3, 1.0)}, trials=0)
    with pytest.raises(ValueError, match="no trials"):
        tune.SearchResult().best
