"""Sequential, ModuleList and ModuleDict: indexing, slicing, iteration,
mutation, the names they give (against torch), forward and errors."""
from collections import OrderedDict

import numpy as np
import pytest

import convcore as cc
import convcore.nn as nn


def names(module):
    return [n for n, _ in module.named_modules()]


def test_sequential_forward_matches_torch(torch, rng):
    from nn_parity import check_against_torch
    layers = lambda m: m.Sequential(m.Conv2d(2, 3, 3), m.ReLU(), m.Flatten(), m.Linear(3 * 4 * 4, 5))
    check_against_torch(torch, layers(nn), layers(torch.nn), [rng.standard_normal((2, 2, 6, 6))])


def test_sequential_batch_norm_relu_matches_torch(torch, rng):
    # BatchNorm then ReLU runs fused (the batch norm's relu epilogue): the
    # same outputs, gradients and running statistics as torch's two steps,
    # in training and in evaluation.
    from nn_parity import check_against_torch
    layers = lambda m: m.Sequential(m.Conv2d(2, 4, 3), m.BatchNorm2d(4), m.ReLU(inplace=True),
                                    m.Flatten(), m.Linear(64, 10), m.BatchNorm1d(10), m.ReLU())
    torch.manual_seed(0)
    for training in (True, False):
        ours, theirs = layers(nn).train(training), layers(torch.nn).train(training)
        out = check_against_torch(torch, ours, theirs, [rng.standard_normal((8, 2, 6, 6))])
        assert 0.1 < (np.asarray(out) == 0).mean() < 0.9


def test_sequential_fuses_batch_norm_relu_only_where_no_hook_sees_between(rng):
    seq = nn.Sequential(nn.BatchNorm2d(3), nn.ReLU())
    x = cc.tensor(rng.standard_normal((2, 3, 4, 4)).astype(np.float32))
    fused = seq(x)
    seen = []
    handle = seq[0].register_forward_hook(lambda m, args, out: seen.append(np.asarray(out).copy()))
    unfused = seq(x)
    handle.remove()
    assert seen and (seen[0] < 0).any()  # the hook saw the batch norm's own output
    np.testing.assert_allclose(np.asarray(unfused), np.asarray(fused), rtol=1e-6, atol=1e-6)
    assert (np.asarray(fused) >= 0).all()


def test_sequential_indexing_slicing_and_names(torch):
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh())
    ref = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 4),
                              torch.nn.Tanh())
    assert len(seq) == 4 and isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Tanh)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Tanh"]
    sub = seq[1:3]
    assert isinstance(sub, nn.Sequential) and [n for n, _ in sub.named_children()] == ["1", "2"]
    assert sub[1] is seq[2]
    assert names(seq) == names(ref) and list(seq.state_dict()) == list(ref.state_dict())
    assert repr(seq) == repr(ref)
    with pytest.raises(IndexError):
        seq[4]
    with pytest.raises(TypeError):
        seq["0"]


def test_sequential_mutation_renumbers_as_torch(torch):
    seq = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
    ref = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid())
    for s, m in ((seq, nn), (ref, torch.nn)):
        del s[0]
        s.append(m.Linear(2, 2))
        s.insert(1, m.Identity())
        s[0] = m.LeakyReLU()
    assert names(seq) == names(ref)
    assert [type(m).__name__ for m in seq] == [type(m).__name__ for m in ref]
    assert seq.extend([nn.ReLU()]) is seq and len(seq) == 5
    with pytest.raises(TypeError, match="Module"):
        seq.append(np.zeros(2))
    with pytest.raises(TypeError, match="Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_sequential_from_ordered_dict(torch):
    seq = nn.Sequential(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU())]))
    ref = torch.nn.Sequential(OrderedDict([("conv", torch.nn.Conv2d(1, 2, 3)), ("act", torch.nn.ReLU())]))
    assert list(seq.state_dict()) == list(ref.state_dict()) == ["conv.weight", "conv.bias"]
    assert seq.conv is seq[0] and repr(seq) == repr(ref)
    out = seq(cc.tensor(np.ones((1, 1, 5, 5), np.float32)))
    assert out.shape == (1, 2, 3, 3) and np.asarray(out).min() >= 0


def test_module_list(torch):
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ref = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and layers[-1] is list(layers)[2]
    layers.append(nn.ReLU())
    ref.append(torch.nn.ReLU())
    layers += [nn.Tanh()]
    ref += [torch.nn.Tanh()]
    layers.insert(0, nn.Sigmoid())
    ref.insert(0, torch.nn.Sigmoid())
    del layers[2], ref[2]
    assert names(layers) == names(ref)
    assert list(layers.state_dict()) == list(ref.state_dict())
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    layers[0] = nn.Identity()
    assert isinstance(layers[0], nn.Identity)
    with pytest.raises(NotImplementedError):
        layers(1)
    with pytest.raises(IndexError):
        layers[10]

    class Tower(nn.Module):  # a ModuleList inside a user model: its parameters are found
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 1)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    tower = Tower()
    assert [n for n, _ in tower.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert tower(cc.tensor(np.ones((4, 3), np.float32))).shape == (4, 1)


def test_module_dict(torch):
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
    ref = torch.nn.ModuleDict({"cls": torch.nn.Linear(4, 3), "box": torch.nn.Linear(4, 2)})
    heads["act"] = nn.ReLU()
    ref["act"] = torch.nn.ReLU()
    assert list(heads) == list(ref) == ["cls", "box", "act"]
    assert list(heads.keys()) == ["cls", "box", "act"] and "box" in heads and len(heads) == 3
    assert names(heads) == names(ref) and list(heads.state_dict()) == list(ref.state_dict())
    assert repr(heads) == repr(ref)
    assert heads.pop("act").__class__ is nn.ReLU and "act" not in heads
    heads.update([("extra", nn.Tanh())])
    del heads["box"]
    assert [k for k, _ in heads.items()] == ["cls", "extra"]
    with pytest.raises(KeyError):
        heads["missing"]
    with pytest.raises(TypeError, match="Module"):
        heads["bad"] = 3
    with pytest.raises(TypeError, match="pair"):
        heads.update([nn.ReLU()])
    heads.clear()
    assert len(heads) == 0


def test_train_eval_reach_container_members():
    model = nn.Sequential(nn.ModuleList([nn.Dropout(0.5)]), nn.ModuleDict({"bn": nn.BatchNorm1d(2)}))
    model.eval()
    assert not model[0][0].training and not model[1]["bn"].training
