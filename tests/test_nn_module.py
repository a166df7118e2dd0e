"""convcore.nn.Module: registration, tree walks, train/eval, zero_grad, state
dicts (keys and order against torch, shared memory, loading and its errors),
hooks, repr, Parameter, and a user-defined model trained by hand."""
import copy
import pickle

import numpy as np
import pytest

import convcore as cc
import convcore.nn as nn
import convcore.nn.functional as F


class Block(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.bn = nn.BatchNorm2d(c_out)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return self.drop(F.relu(self.bn(self.conv(x))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = Block(1, 4)
        self.pool = nn.MaxPool2d(2)
        self.block2 = Block(4, 8)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 2 * 2, 3))
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.register_buffer("step", cc.zeros([]))
        self.register_buffer("scratch", cc.zeros([2]), persistent=False)

    def forward(self, x):
        x = self.pool(self.block1(x))
        x = self.pool(self.block2(x))
        return self.head(x) * self.scale


def torch_net(torch):
    tnn = torch.nn

    class Block(tnn.Module):
        def __init__(self, c_in, c_out):
            super().__init__()
            self.conv = tnn.Conv2d(c_in, c_out, 3, padding=1)
            self.bn = tnn.BatchNorm2d(c_out)
            self.drop = tnn.Dropout(0.1)

        def forward(self, x):
            return self.drop(torch.relu(self.bn(self.conv(x))))

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.block1 = Block(1, 4)
            self.pool = tnn.MaxPool2d(2)
            self.block2 = Block(4, 8)
            self.head = tnn.Sequential(tnn.Flatten(), tnn.Linear(8 * 2 * 2, 3))
            self.scale = tnn.Parameter(torch.ones(1))
            self.register_buffer("step", torch.zeros(()))
            self.register_buffer("scratch", torch.zeros(2), persistent=False)

        def forward(self, x):
            x = self.pool(self.block1(x))
            x = self.pool(self.block2(x))
            return self.head(x) * self.scale

    return Net()


def test_names_and_order_match_torch(torch):
    net, ref = Net(), torch_net(torch)
    assert list(net.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in net.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in net.named_children()] == [n for n, _ in ref.named_children()]
    assert [type(m).__name__ for m in net.modules()] == [type(m).__name__ for m in ref.modules()]
    assert repr(net) == repr(ref)


def test_whole_model_matches_torch_in_train_and_eval(torch, rng):
    net, ref = Net(), torch_net(torch).double()
    net.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    for mode in ("train", "eval"):
        x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
        for model in (net, ref):
            model.train(mode == "train")
            for m in model.modules():  # dropout off in both: masks come from different streams
                if type(m).__name__ == "Dropout":
                    m.p = 0.0
        out = net(cc.tensor(x))
        want = ref(torch.tensor(x, dtype=torch.float64))
        np.testing.assert_allclose(np.asarray(out), want.detach().numpy(), rtol=1e-4, atol=1e-5)
        g = rng.standard_normal(out.shape).astype(np.float32)
        net.zero_grad(), ref.zero_grad()
        out.backward(cc.tensor(g))
        want.backward(torch.tensor(g, dtype=torch.float64))
        theirs = dict(ref.named_parameters())
        for name, p in net.named_parameters():
            np.testing.assert_allclose(np.asarray(p.grad), theirs[name].grad.numpy(), rtol=1e-4,
                                       atol=1e-5, err_msg=name)
        state = ref.state_dict()
        for key, value in net.state_dict().items():
            np.testing.assert_allclose(np.asarray(value), state[key].numpy(), rtol=1e-5,
                                       atol=1e-6, err_msg=key)


def test_user_module_trains_by_hand():
    rng = np.random.default_rng(0)
    cc.manual_seed(0)
    net = Net()
    x = rng.standard_normal((32, 1, 8, 8)).astype(np.float32)
    labels = (x[:, 0, :4].sum(axis=(1, 2)) > 0).astype(np.int64) + (x[:, 0, 4:].mean(axis=(1, 2)) > 0)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(30):
        net.zero_grad()
        loss = loss_fn(net(cc.tensor(x)), labels)
        loss.backward()
        losses.append(loss.item())
        with cc.no_grad():
            for p in net.parameters():
                np.asarray(p)[...] -= 0.1 * np.asarray(p.grad)
    assert losses[-1] < 0.5 * losses[0]


def test_parameters_are_shared_once(rng):
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.b = nn.Linear(4, 4)
            self.b.weight = self.a.weight
            self.c = self.a  # the same module twice

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    assert [n for n, _ in m.named_parameters()] == ["a.weight", "a.bias", "b.bias"]
    assert [n for n, _ in m.named_modules()] == ["", "a", "b"]
    assert len(list(m.named_parameters(remove_duplicate=False))) == 6
    assert list(m.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias", "c.weight", "c.bias"]
    # The shared weight's gradient is the sum over its two uses.
    x = rng.standard_normal((2, 4)).astype(np.float32)
    m(cc.tensor(x)).sum().backward()
    w, b1 = np.asarray(m.a.weight, np.float64), np.asarray(m.a.bias, np.float64)
    h = x @ w.T + b1
    want = (np.ones((2, 4)).T @ h) + (np.ones((2, 4)) @ w).T @ x
    np.testing.assert_allclose(np.asarray(m.a.weight.grad), want, rtol=1e-4, atol=1e-4)


def test_train_eval_propagate_and_zero_grad(rng):
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="mode"):
        net.train("no")
    net(cc.tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))).sum().backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None for g in grads)
    net.zero_grad(set_to_none=False)
    assert all(np.all(np.asarray(p.grad) == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_shares_memory_and_load_keeps_storage(torch, rng):
    net = Net()
    state = net.state_dict()
    assert isinstance(state, __import__("collections").OrderedDict)
    assert "scratch" not in state
    assert np.shares_memory(np.asarray(state["block1.conv.weight"]), np.asarray(net.block1.conv.weight))
    assert not state["block1.conv.weight"].requires_grad
    assert net.state_dict(keep_vars=True)["scale"] is net.scale
    weight = net.block1.conv.weight
    view = np.asarray(weight)
    ref = torch_net(torch)
    result = net.load_state_dict(ref.state_dict())  # torch tensors, int64 num_batches_tracked
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert net.block1.conv.weight is weight  # same Parameter, same memory
    np.testing.assert_array_equal(view, ref.block1.conv.weight.detach().numpy())
    ints = {k: np.asarray(v).astype(np.int64) for k, v in net.state_dict().items()}
    net.load_state_dict(ints)
    assert np.asarray(net.block1.bn.running_var).dtype == np.float32


def test_load_state_dict_errors_name_the_keys():
    net = Net()
    state = {k: np.asarray(v).copy() for k, v in net.state_dict().items()}
    before = np.asarray(net.head[1].weight).copy()

    bad = dict(state, **{"head.1.weight": np.zeros((3, 5), np.float32)})
    bad["block1.conv.bias"] = state["block1.conv.bias"] + 1
    with pytest.raises(ValueError, match=r"head\.1\.weight.*\(3, 5\).*\(3, 32\)"):
        net.load_state_dict(bad)
    np.testing.assert_array_equal(np.asarray(net.block1.conv.bias), state["block1.conv.bias"])

    missing = dict(state)
    del missing["block2.bn.running_mean"]
    with pytest.raises(RuntimeError, match="missing.*block2.bn.running_mean"):
        net.load_state_dict(missing)
    result = net.load_state_dict(missing, strict=False)
    assert result.missing_keys == ["block2.bn.running_mean"] and result.unexpected_keys == []

    extra = dict(state, **{"head.2.weight": np.zeros(3, np.float32)})
    with pytest.raises(RuntimeError, match="unexpected.*head.2.weight"):
        net.load_state_dict(extra)
    assert net.load_state_dict(extra, strict=False).unexpected_keys == ["head.2.weight"]

    with pytest.raises(TypeError, match="head.1.bias"):
        net.load_state_dict(dict(state, **{"head.1.bias": np.array(["a", "b", "c"])}))
    with pytest.raises(TypeError, match="state_dict"):
        net.load_state_dict([1, 2])
    np.testing.assert_array_equal(np.asarray(net.head[1].weight), before)
    assert repr(net.load_state_dict(state)) == "<All keys matched successfully>"


def test_hooks_run_on_every_module_and_can_be_removed(rng):
    net = Net()
    seen = []
    handles = [m.register_forward_hook(lambda mod, args, out: seen.append((type(mod).__name__, out.shape)))
               for m in net.modules()]
    net(cc.tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32)))
    names = [name for name, _ in seen]
    assert names[:4] == ["Conv2d", "BatchNorm2d", "Dropout", "Block"]
    assert names[-1] == "Net" and seen[-1][1] == (2, 3)
    assert names.count("MaxPool2d") == 2
    for h in handles:
        h.remove()
    seen.clear()
    net(cc.tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32)))
    assert seen == []

    layer = nn.Linear(3, 2)
    layer.register_forward_pre_hook(lambda mod, args: (args[0] * 0.0,))
    with layer.register_forward_hook(lambda mod, args, out: out + 1.0):
        out = layer(cc.tensor(np.ones((1, 3), np.float32)))
        np.testing.assert_allclose(np.asarray(out), np.asarray(layer.bias)[None] + 1.0, rtol=1e-6)
    out = layer(cc.tensor(np.ones((1, 3), np.float32)))
    np.testing.assert_allclose(np.asarray(out), np.asarray(layer.bias)[None], rtol=1e-6)


def test_registration_rules():
    m = nn.Module()
    m.w = nn.Parameter(np.ones(2, np.float32))
    m.register_buffer("b", cc.zeros([2]))
    m.sub = nn.Linear(2, 2)
    m.plain = cc.zeros([1])  # a plain Tensor attribute is neither parameter nor buffer
    assert [n for n, _ in m.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    assert list(m.state_dict()) == ["w", "b", "sub.weight", "sub.bias"]
    with pytest.raises(TypeError, match="parameter 'w'"):
        m.w = cc.zeros([2])
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.b = np.zeros(2)
    m.b = cc.ones([2])
    np.testing.assert_array_equal(np.asarray(m.state_dict()["b"]), [1, 1])
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("plain", cc.zeros([1]))
    with pytest.raises(KeyError, match=r"\."):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="Module"):
        m.add_module("x", object())
    del m.w
    assert [n for n, _ in m.named_parameters()] == ["sub.weight", "sub.bias"]
    with pytest.raises(AttributeError, match="nope"):
        m.nope
    assert "sub" in dir(m) and "b" in dir(m)
    assert m.get_submodule("sub") is m.sub and m.get_submodule("") is m
    with pytest.raises(AttributeError, match="missing"):
        m.get_submodule("sub.missing")

    class Forgot(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="__init__"):
        Forgot()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_apply_to_and_requires_grad():
    net = Net()
    visited = []
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    assert visited[-1] == "Net" and visited.index("Conv2d") < visited.index("Block")
    assert net.to("cpu") is net and net.cpu() is net and net.to(dtype=np.float32) is net
    with pytest.raises(ValueError, match="device"):
        net.to("cuda")
    with pytest.raises(TypeError, match="dtype"):
        net.to(dtype=np.float64)
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_parameter_aliases_tensors_and_copies():
    t = cc.tensor(np.arange(4, dtype=np.float32))
    p = nn.Parameter(t)
    assert isinstance(p, cc.Tensor) and p.requires_grad and p.shape == (4,)
    assert np.shares_memory(np.asarray(p), np.asarray(t))
    assert nn.Parameter().shape == (0,)
    assert not nn.Parameter(np.ones(2), requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\n")
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and not np.shares_memory(np.asarray(q), np.asarray(p))
    np.testing.assert_array_equal(np.asarray(pickle.loads(pickle.dumps(p))), np.asarray(p))
