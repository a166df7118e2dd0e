"""convcore.optim.lr_scheduler against torch.optim.lr_scheduler: the learning
rates of two parameter groups over 30 epochs for every schedule (SequentialLR
warm-up + cosine and ReduceLROnPlateau on given metric series included),
state_dict round trips, and errors."""
import math

import numpy as np
import pytest

import convcore as cc
from convcore import optim
from convcore.optim import lr_scheduler as sched

EPOCHS = 30
LRS = (0.1, 0.02)


def _cc_optimizer():
    ps = [cc.tensor(np.ones(2, np.float32), requires_grad=True) for _ in LRS]
    return optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, LRS)], momentum=0.9)


def _torch_optimizer(torch):
    ps = [torch.ones(2, requires_grad=True) for _ in LRS]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, LRS)], momentum=0.9)


def _lrs(opt, scheduler, epochs=EPOCHS, metrics=None):
    """get_last_lr() and the groups' lr after construction and each step."""
    seq = [list(scheduler.get_last_lr())]
    assert seq[0] == [g["lr"] for g in opt.param_groups]
    for e in range(epochs):
        opt.step()  # no gradients: nothing moves, but torch wants step() first
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[e])
        seq.append(list(scheduler.get_last_lr()))
        assert seq[-1] == [g["lr"] for g in opt.param_groups]
    return seq


def _factories(ns):
    """Scheduler builders by name, for torch's module or ours (same arguments)."""
    return {
        "StepLR": lambda o: ns.StepLR(o, step_size=7, gamma=0.5),
        "MultiStepLR": lambda o: ns.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3),
        "ExponentialLR": lambda o: ns.ExponentialLR(o, gamma=0.9),
        "CosineAnnealingLR": lambda o: ns.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        "CosineAnnealingLR_no_min": lambda o: ns.CosineAnnealingLR(o, T_max=30),
        "LinearLR": lambda o: ns.LinearLR(o, start_factor=0.1, total_iters=8),
        "LinearLR_decay": lambda o: ns.LinearLR(o, start_factor=1.0, end_factor=0.2,
                                                total_iters=12),
        "LambdaLR": lambda o: ns.LambdaLR(o, lambda e: 0.95 ** e),
        "LambdaLR_per_group": lambda o: ns.LambdaLR(o, [lambda e: 1.0 / (e + 1),
                                                        lambda e: 0.5 if e % 2 else 1.0]),
        "SequentialLR_warmup_cosine": lambda o: ns.SequentialLR(
            o, [ns.LinearLR(o, start_factor=0.1, total_iters=5),
                ns.CosineAnnealingLR(o, T_max=25, eta_min=1e-4)], milestones=[5]),
        "SequentialLR_three": lambda o: ns.SequentialLR(
            o, [ns.LinearLR(o, start_factor=0.5, total_iters=3), ns.ExponentialLR(o, 0.9),
                ns.StepLR(o, step_size=4, gamma=0.5)], milestones=[4, 15]),
    }


@pytest.mark.parametrize("name", sorted(_factories(sched)))
def test_rates_match_torch(torch, name):
    mine_opt = _cc_optimizer()
    ref_opt = _torch_optimizer(torch)
    mine = _lrs(mine_opt, _factories(sched)[name](mine_opt))
    ref = _lrs(ref_opt, _factories(torch.optim.lr_scheduler)[name](ref_opt))
    np.testing.assert_allclose(np.array(mine), np.array(ref), rtol=1e-12, atol=0)


def test_cosine_reaches_eta_min_at_t_max():
    opt = _cc_optimizer()
    s = sched.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    seq = _lrs(opt, s, epochs=10)
    np.testing.assert_allclose(seq[10], [0.001, 0.001], rtol=1e-9)
    np.testing.assert_allclose(seq[5], [(lr + 0.001) / 2 for lr in LRS], rtol=1e-9)


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.81, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7,
                   0.7, 0.7, 0.7, 0.7, 0.71, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6,
                   0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]


@pytest.mark.parametrize("kwargs, metrics", [
    (dict(), PLATEAU_METRICS),
    (dict(patience=2, factor=0.5), PLATEAU_METRICS),
    (dict(patience=1, cooldown=2, factor=0.5, min_lr=0.004), PLATEAU_METRICS),
    (dict(patience=1, factor=0.3, min_lr=[0.01, 0.001]), PLATEAU_METRICS),
    (dict(mode="max", patience=2, threshold=0.05, threshold_mode="abs"),
     [-m for m in PLATEAU_METRICS]),
    (dict(mode="max", patience=0, threshold=0.01), [1 - m for m in PLATEAU_METRICS]),
    (dict(mode="min", patience=1, threshold=0.2, threshold_mode="abs", eps=0.05),
     PLATEAU_METRICS),
])
def test_reduce_on_plateau_matches_torch(torch, kwargs, metrics):
    mine_opt = _cc_optimizer()
    ref_opt = _torch_optimizer(torch)
    mine = _lrs(mine_opt, sched.ReduceLROnPlateau(mine_opt, **kwargs), len(metrics), metrics)
    ref = _lrs(ref_opt, torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, **kwargs),
               len(metrics), metrics)
    np.testing.assert_allclose(np.array(mine), np.array(ref), rtol=1e-12, atol=0)
    assert mine[-1] != mine[0] or kwargs.get("eps", 0) > 0.04  # the series does reduce


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "SequentialLR_warmup_cosine",
                                  "LambdaLR", "plateau"])
def test_state_dict_resumes_the_schedule(name):
    metrics = PLATEAU_METRICS

    def build():
        o = _cc_optimizer()
        if name == "plateau":
            return o, sched.ReduceLROnPlateau(o, patience=1, factor=0.5)
        return o, _factories(sched)[name](o)

    def advance(o, s, epochs):
        out = []
        for e in epochs:
            o.step()
            s.step(metrics[e]) if name == "plateau" else s.step()
            out.append(list(s.get_last_lr()))
        return out

    o, s = build()
    whole = advance(o, s, range(20))
    o1, s1 = build()
    advance(o1, s1, range(10))
    opt_state, sched_state = o1.state_dict(), s1.state_dict()
    o2, s2 = build()
    o2.load_state_dict(opt_state)
    s2.load_state_dict(sched_state)
    assert advance(o2, s2, range(10, 20)) == whole[10:]


def test_resume_needs_initial_lr():
    opt = optim.SGD(_cc_optimizer().param_groups[0]["params"], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(opt, step_size=3, last_epoch=4)


def test_step_with_epoch_uses_closed_form_and_warns():
    opt = _cc_optimizer()
    s = sched.StepLR(opt, step_size=3, gamma=0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        s.step(7)
    assert s.get_last_lr() == pytest.approx([lr * 0.25 for lr in LRS])


@pytest.mark.parametrize("make, exc, match", [
    (lambda o: sched.StepLR(object(), step_size=2), TypeError, "not an Optimizer"),
    (lambda o: sched.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: sched.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
    (lambda o: sched.LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
    (lambda o: sched.LambdaLR(o, [lambda e: 1.0]), ValueError, "lr_lambdas"),
    (lambda o: sched.LambdaLR(o, 3.0), TypeError, "callable"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="relative"), ValueError,
     "threshold_mode"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lrs"),
    (lambda o: sched.SequentialLR(o, [sched.ExponentialLR(o, 0.9)], milestones=[3]),
     ValueError, "milestones"),
    (lambda o: sched.SequentialLR(o, [], milestones=[]), ValueError, "at least one"),
    (lambda o: sched.SequentialLR(o, [sched.ReduceLROnPlateau(o)], milestones=[]), ValueError,
     "ReduceLROnPlateau"),
    (lambda o: sched.SequentialLR(o, [sched.ExponentialLR(_cc_optimizer(), 0.9)], []),
     ValueError, "same optimizer"),
])
def test_bad_arguments_raise(make, exc, match):
    with pytest.raises(exc, match=match):
        make(_cc_optimizer())


def test_scheduled_rate_reaches_the_update():
    p = cc.tensor(np.zeros(1, np.float32), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    s = sched.ExponentialLR(opt, gamma=0.5)
    moved = []
    for _ in range(3):
        p.grad = cc.tensor(np.ones(1, np.float32))
        before = float(np.asarray(p)[0])
        opt.step()
        moved.append(before - float(np.asarray(p)[0]))
        s.step()
    assert moved == [1.0, 0.5, 0.25]
    assert not math.isnan(moved[-1])
