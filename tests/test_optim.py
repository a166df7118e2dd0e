"""convcore.optim's optimizers against torch.optim: SGD, Adam, AdamW and
RMSprop over several steps with the same parameters and gradients, at every
instruction-set level; parameter groups, skipped gradients, closures,
state_dict round trips (and torch's state dicts), and errors."""
import pickle

import numpy as np
import pytest

import convcore as cc
from convcore import optim

# One of each rank, and one past the update's 65536-element chunk, so the
# threaded split runs too.
SHAPES = [(4, 3), (5,), (2, 3, 2), (70001,)]
STEPS = 5


def _data(seed=0, steps=STEPS, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(steps)]
    return params, grads


def _run_torch(torch, cls_name, kwargs, params, grads, groups=None):
    ps = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    arg = ps if groups is None else [dict(g, params=[ps[i] for i in g["params"]]) for g in groups]
    opt = getattr(torch.optim, cls_name)(arg, **kwargs)
    history = []
    for step in grads:
        for p, g in zip(ps, step):
            p.grad = None if g is None else torch.tensor(g)
        opt.step()
        history.append([p.detach().numpy().copy() for p in ps])
    return history, opt


def _cc_params(params):
    return [cc.tensor(p.copy(), requires_grad=True) for p in params]


def _run_cc(cls_name, kwargs, params, grads, groups=None, ps=None, opt=None):
    ps = _cc_params(params) if ps is None else ps
    if opt is None:
        arg = ps if groups is None else [dict(g, params=[ps[i] for i in g["params"]])
                                         for g in groups]
        opt = getattr(optim, cls_name)(arg, **kwargs)
    history = []
    for step in grads:
        for p, g in zip(ps, step):
            p.grad = None if g is None else cc.tensor(g)
        opt.step()
        history.append([np.asarray(p).copy() for p in ps])
    return history, opt, ps


def _assert_histories(mine, ref, rtol=1e-5, atol=1e-6):
    assert len(mine) == len(ref)
    for step, (ms, rs) in enumerate(zip(mine, ref)):
        for i, (m, r) in enumerate(zip(ms, rs)):
            np.testing.assert_allclose(m, r, rtol=rtol, atol=atol,
                                       err_msg=f"step {step + 1}, parameter {i}")


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.2, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.9), eps=1e-6)),  # lerp weight >= 0.5: torch's other form
    ("Adam", dict(lr=0.01, betas=(0.0, 0.99))),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, maximize=True, centered=True)),
]


@pytest.mark.parametrize("cls_name, kwargs", CASES, ids=lambda v: str(v))
def test_matches_torch(torch, isa, cls_name, kwargs):
    params, grads = _data()
    ref, _ = _run_torch(torch, cls_name, kwargs, params, grads)
    mine, _, _ = _run_cc(cls_name, kwargs, params, grads)
    _assert_histories(mine, ref)


@pytest.mark.parametrize("cls_name, kwargs", [CASES[5], CASES[10], CASES[12], CASES[20]],
                         ids=lambda v: str(v))
def test_every_level_agrees_with_scalar(isa, cls_name, kwargs):
    # Without torch too: each level's kernels against the scalar ones (they
    # differ only where a level fuses multiply-adds).
    params, grads = _data(seed=4)
    mine, _, _ = _run_cc(cls_name, kwargs, params, grads)
    cc.set_isa("scalar")
    ref, _, _ = _run_cc(cls_name, kwargs, params, grads)
    cc.set_isa(isa)
    _assert_histories(mine, ref)


@pytest.mark.parametrize("threads", [1, 2])
def test_thread_count_does_not_change_results(threads):
    params, grads = _data(shapes=[(200003,)], steps=2)
    previous = cc.get_num_threads()
    try:
        cc.set_num_threads(1)
        one, _, _ = _run_cc("Adam", dict(lr=0.01, amsgrad=True), params, grads)
        cc.set_num_threads(threads)
        many, _, _ = _run_cc("Adam", dict(lr=0.01, amsgrad=True), params, grads)
    finally:
        cc.set_num_threads(previous)
    np.testing.assert_array_equal(one[-1][0], many[-1][0])


@pytest.mark.parametrize("cls_name, kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("Adam", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
])
def test_param_groups_with_their_own_options(torch, cls_name, kwargs):
    params, grads = _data()
    groups = [dict(params=[0, 2]), dict(params=[1, 3], lr=0.003, weight_decay=0.1)]
    ref, _ = _run_torch(torch, cls_name, kwargs, params, grads, groups)
    mine, opt, _ = _run_cc(cls_name, kwargs, params, grads, groups)
    _assert_histories(mine, ref)
    assert opt.param_groups[1]["lr"] == 0.003 and opt.param_groups[0]["lr"] == kwargs["lr"]


def test_parameters_without_gradient_are_skipped(torch):
    params, grads = _data()
    for step in grads[:3]:
        step[1] = None  # parameter 1 has no gradient for the first three steps
    ref, topt = _run_torch(torch, "Adam", dict(lr=0.01), params, grads)
    mine, opt, ps = _run_cc("Adam", dict(lr=0.01), params, grads)
    _assert_histories(mine, ref)
    assert opt.state[ps[1]]["step"] == 2 and opt.state[ps[0]]["step"] == STEPS


def test_add_param_group_and_zero_grad(torch):
    params, grads = _data()
    ps = _cc_params(params)
    opt = optim.SGD(ps[:2], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": ps[2:], "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["momentum"] == 0.9  # defaults fill the rest
    for p, g in zip(ps, grads[0]):
        p.grad = cc.tensor(g)
    opt.zero_grad(set_to_none=False)
    assert all(np.all(np.asarray(p.grad) == 0) for p in ps)
    opt.zero_grad()
    assert all(p.grad is None for p in ps)


def test_closure_is_called_and_its_loss_returned():
    p = cc.tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    opt = optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(np.asarray(p), [0.0, 0.0])  # p - 0.5 * 2p


@pytest.mark.parametrize("cls_name, kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
])
def test_state_dict_round_trip_continues_the_run(cls_name, kwargs):
    params, grads = _data(steps=6)
    whole, _, _ = _run_cc(cls_name, kwargs, params, grads)

    first, opt, ps = _run_cc(cls_name, kwargs, params, grads[:3])
    saved = pickle.loads(pickle.dumps(opt.state_dict()))  # plain data, picklable
    for s in saved["state"].values():
        for v in s.values():
            assert isinstance(v, (int, float, np.ndarray))
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32
    resumed_ps = [cc.tensor(np.asarray(p).copy(), requires_grad=True) for p in ps]
    fresh = getattr(optim, cls_name)(resumed_ps, lr=123.0)  # lr comes from the state dict
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == kwargs["lr"]
    rest, _, _ = _run_cc(cls_name, kwargs, params, grads[3:], ps=resumed_ps, opt=fresh)
    for a, b in zip(whole[-1], rest[-1]):
        np.testing.assert_array_equal(a, b)


def test_state_dict_is_a_snapshot_in_torch_layout(torch):
    params, grads = _data()
    _, topt = _run_torch(torch, "SGD", dict(lr=0.1, momentum=0.9), params, grads[:2])
    _, opt, ps = _run_cc("SGD", dict(lr=0.1, momentum=0.9), params, grads[:2])
    mine, ref = opt.state_dict(), topt.state_dict()
    assert mine["param_groups"] == ref["param_groups"]
    assert sorted(mine["state"]) == sorted(ref["state"])
    for k, s in ref["state"].items():
        np.testing.assert_allclose(mine["state"][k]["momentum_buffer"],
                                   s["momentum_buffer"].numpy(), rtol=1e-5, atol=1e-6)
    before = mine["state"][0]["momentum_buffer"].copy()
    _run_cc("SGD", {}, params, grads[2:3], ps=ps, opt=opt)
    np.testing.assert_array_equal(mine["state"][0]["momentum_buffer"], before)


@pytest.mark.parametrize("cls_name, kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
])
def test_loads_torch_state_dict(torch, cls_name, kwargs):
    params, grads = _data(steps=5)
    ref, topt = _run_torch(torch, cls_name, kwargs, params, grads)
    _, topt3 = _run_torch(torch, cls_name, kwargs, params, grads[:3])
    ps = [cc.tensor(p.detach().numpy().copy(), requires_grad=True)
          for p in topt3.param_groups[0]["params"]]
    opt = getattr(optim, cls_name)(ps, **kwargs)
    opt.load_state_dict(topt3.state_dict())
    mine, _, _ = _run_cc(cls_name, kwargs, params, grads[3:], ps=ps, opt=opt)
    _assert_histories(mine, ref[3:])


# ---- errors ----

def _one_param():
    return [cc.tensor(np.ones(3, np.float32), requires_grad=True)]


@pytest.mark.parametrize("make, match", [
    (lambda ps: optim.SGD(ps, lr=-0.1), "lr"),
    (lambda ps: optim.SGD(ps, lr=float("nan")), "lr"),
    (lambda ps: optim.SGD(ps, momentum=-0.5), "momentum"),
    (lambda ps: optim.SGD(ps, weight_decay=-1), "weight_decay"),
    (lambda ps: optim.SGD(ps, nesterov=True), "nesterov"),
    (lambda ps: optim.SGD(ps, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (lambda ps: optim.Adam(ps, lr=-1e-3), "lr"),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), r"betas\[0\]"),
    (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), r"betas\[1\]"),
    (lambda ps: optim.AdamW(ps, eps=-1.0), "eps"),
    (lambda ps: optim.RMSprop(ps, alpha=-0.1), "alpha"),
    (lambda ps: optim.RMSprop(ps, momentum=-0.1), "momentum"),
])
def test_bad_options_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make(_one_param())


def test_bad_options_in_an_added_group_raise():
    opt = optim.SGD(_one_param(), lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": _one_param(), "lr": -1.0})
    assert len(opt.param_groups) == 1


def test_bad_params_raise():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(_one_param()[0], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.Adam([np.ones(3, np.float32)])
    with pytest.raises(TypeError, match="sets"):
        optim.Adam({_one_param()[0]})
    ps = _one_param()
    opt = optim.SGD(ps, lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": ps})
    with pytest.raises(TypeError, match="betas"):
        optim.Adam(_one_param(), betas=0.9)


def test_non_leaf_param_raises():
    x = cc.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([x * 2.0], lr=0.1)


def test_update_checks_shapes_and_types():
    p = cc.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    with pytest.raises(ValueError, match=r"grad must have the shape of param \[2, 3\]"):
        cc._C.sgd_update_(p, np.ones((3, 2), np.float32), None, 0.1, 0.0, 0.0, 0.0, False,
                          False, False)
    buf = cc.zeros([6])
    with pytest.raises(ValueError, match="momentum_buffer must have the shape of param"):
        cc._C.sgd_update_(p, np.ones((2, 3), np.float32), buf, 0.1, 0.9, 0.0, 0.0, False,
                          False, False)
    with pytest.raises(ValueError, match="momentum_buffer is required"):
        cc._C.sgd_update_(p, np.ones((2, 3), np.float32), None, 0.1, 0.9, 0.0, 0.0, False,
                          False, False)
    with pytest.raises(TypeError, match="param must be a convcore.Tensor"):
        cc._C.sgd_update_(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32), None, 0.1,
                          0.0, 0.0, 0.0, False, False, False)
    z = cc.zeros([2, 3])
    with pytest.raises(ValueError, match="max_exp_avg_sq is required"):
        cc._C.adam_update_(p, z, cc.zeros([2, 3]), cc.zeros([2, 3]), None, 1, 1e-3, 0.9, 0.999,
                           1e-8, 0.0, True, False, False)
    with pytest.raises(ValueError, match="step must be >= 1"):
        cc._C.adam_update_(p, z, cc.zeros([2, 3]), cc.zeros([2, 3]), None, 0, 1e-3, 0.9, 0.999,
                           1e-8, 0.0, False, False, False)
    with pytest.raises(ValueError, match="grad_avg is required"):
        cc._C.rmsprop_update_(p, z, cc.zeros([2, 3]), None, None, 1e-2, 0.99, 1e-8, 0.0, 0.0,
                              True, False)
    with pytest.raises(ValueError, match="param and grad share memory"):
        cc._C.sgd_update_(p, p, None, 0.1, 0.0, 0.0, 0.0, False, False, False)
    with pytest.raises(ValueError, match="exp_avg and exp_avg_sq share memory"):
        m = cc.zeros([2, 3])
        cc._C.adam_update_(p, z, m, cc.Tensor(m), None, 1, 1e-3, 0.9, 0.999, 1e-8, 0.0, False,
                           False, False)
    np.testing.assert_array_equal(np.asarray(p), 1.0)  # nothing was written


def test_group_option_made_bad_after_construction_raises_at_step():
    ps = _one_param()
    ps[0].grad = cc.tensor(np.ones(3, np.float32))
    opt = optim.Adam(ps, lr=0.1)
    opt.param_groups[0]["betas"] = (0.9, 1.5)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        opt.step()
    assert 0 not in opt.state[ps[0]] and "step" not in opt.state[ps[0]]
    np.testing.assert_array_equal(np.asarray(ps[0]), 1.0)


def test_load_state_dict_mismatches_raise():
    params, grads = _data(steps=1)
    _, opt, ps = _run_cc("Adam", dict(lr=0.01), params, grads)
    saved = opt.state_dict()
    with pytest.raises(ValueError, match="number of parameter groups"):
        optim.Adam([{"params": ps[:2]}, {"params": ps[2:]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match="parameter group 0 has 4 parameters"):
        optim.Adam(ps[:3]).load_state_dict(saved)
    other = [cc.tensor(np.zeros(s, np.float32), requires_grad=True) for s in reversed(SHAPES)]
    with pytest.raises(ValueError, match="'exp_avg' has shape"):
        optim.Adam(other).load_state_dict(saved)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optim.Adam(ps).load_state_dict({"state": {}})
