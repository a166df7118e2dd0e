"""BatchNorm layers over several training steps and in eval mode, and the loss
layers, against torch.nn with the same weights and buffers."""
import numpy as np
import pytest

import convcore as cc
import convcore.nn as nn
from nn_parity import check_against_torch, load_from_torch

BN_CASES = [
    ("BatchNorm1d", (4,), {}, (8, 4)),
    ("BatchNorm1d", (3,), dict(momentum=0.3), (4, 3, 5)),
    ("BatchNorm2d", (3,), {}, (4, 3, 5, 6)),
    ("BatchNorm2d", (3,), dict(momentum=None, eps=1e-3), (2, 3, 4, 4)),
    ("BatchNorm2d", (3,), dict(affine=False), (2, 3, 4, 4)),
    ("BatchNorm2d", (3,), dict(bias=False), (2, 3, 4, 4)),
    ("BatchNorm2d", (3,), dict(track_running_stats=False), (2, 3, 4, 4)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 4, 5)),
]


def _assert_buffers_equal(layer, ref):
    theirs = ref.state_dict()
    for key, value in layer.state_dict().items():
        np.testing.assert_allclose(np.asarray(value), theirs[key].double().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=key)


@pytest.mark.parametrize("name, args, kwargs, shape", BN_CASES)
def test_batch_norm_train_steps_and_eval_match_torch(torch, rng, name, args, kwargs, shape):
    layer, ref = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(ref)
    if layer.weight is not None:  # non-trivial affine parameters
        with torch.no_grad():
            ref.weight.uniform_(0.5, 1.5)
            if ref.bias is not None:
                ref.bias.uniform_(-1, 1)
    for step in range(3):  # training: batch statistics, running statistics updated
        x = rng.standard_normal(shape) * (step + 1) + step
        check_against_torch(torch, layer, ref, [x], seed=step)
        layer.zero_grad(), ref.zero_grad()
        # check_against_torch loads torch's state first, so compare after its step.
        _assert_buffers_equal(layer, ref)
    if layer.track_running_stats:
        assert float(layer.num_batches_tracked.item()) == ref.num_batches_tracked.item()
    layer.eval(), ref.eval()
    check_against_torch(torch, layer, ref, [rng.standard_normal(shape)], seed=9)
    _assert_buffers_equal(layer, ref)


def test_batch_norm_running_stats_accumulate_over_own_steps(torch, rng):
    """Running statistics evolve inside the convcore layer exactly as in torch's."""
    layer, ref = nn.BatchNorm2d(3, momentum=None), torch.nn.BatchNorm2d(3, momentum=None)
    for _ in range(4):
        x = (rng.standard_normal((4, 3, 5, 5)) * 2 + 1).astype(np.float32)
        layer(cc.tensor(x))
        ref(torch.tensor(x))
    assert list(layer.state_dict()) == list(ref.state_dict())
    _assert_buffers_equal(layer, ref)
    assert layer.num_batches_tracked.shape == ()


def test_batch_norm_eval_uses_running_stats_and_leaves_them(rng):
    layer = nn.BatchNorm2d(2)
    layer.load_state_dict({"weight": [1.0, 2.0], "bias": [0.0, 1.0], "running_mean": [1.0, -1.0],
                           "running_var": [4.0, 0.25], "num_batches_tracked": np.int64(7)})
    layer.eval()
    x = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    y = np.asarray(layer(cc.tensor(x)))
    want = (x - np.array([1, -1]).reshape(1, 2, 1, 1)) / np.sqrt(
        np.array([4, 0.25]).reshape(1, 2, 1, 1) + 1e-5) * np.array([1, 2]).reshape(1, 2, 1, 1) \
        + np.array([0, 1]).reshape(1, 2, 1, 1)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(layer.running_mean), [1.0, -1.0])
    assert layer.num_batches_tracked.item() == 7


def test_batch_norm_rejects_the_wrong_rank(rng):
    x = cc.tensor(rng.standard_normal((2, 3, 4)).astype(np.float32))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(x)
    with pytest.raises(ValueError, match="2D or 3D"):
        nn.BatchNorm1d(3)(cc.tensor(np.zeros((2, 3, 4, 4), np.float32)))
    for build, words in [(lambda: nn.BatchNorm2d(0), "num_features"),
                         (lambda: nn.BatchNorm2d(3, momentum=2.0), "momentum"),
                         (lambda: nn.BatchNorm2d(3, eps=-1.0), "eps"),
                         (lambda: nn.BatchNorm2d(3, affine=1), "affine")]:
        with pytest.raises((ValueError, TypeError), match=words):
            build()


# ---------------------------------------------------------------- losses

LOSS_CASES = [
    ("CrossEntropyLoss", {}, "indices"),
    ("CrossEntropyLoss", dict(reduction="sum", label_smoothing=0.1), "indices"),
    ("CrossEntropyLoss", dict(weight=[1.0, 2.0, 0.5, 1.0], ignore_index=1), "indices"),
    ("CrossEntropyLoss", dict(reduction="none"), "probs"),
    ("NLLLoss", {}, "indices"),
    ("NLLLoss", dict(weight=[0.5, 1.0, 2.0, 1.5], reduction="sum"), "indices"),
    ("MSELoss", {}, "values"),
    ("MSELoss", dict(reduction="none"), "values"),
    ("BCEWithLogitsLoss", {}, "binary"),
    ("BCEWithLogitsLoss", dict(pos_weight=[1.0, 3.0, 0.5, 2.0], weight=[1.0, 0.5, 2.0, 1.0]),
     "binary"),
]


@pytest.mark.parametrize("name, kwargs, target_kind", LOSS_CASES)
def test_loss_matches_torch(torch, rng, name, kwargs, target_kind):
    x = rng.standard_normal((6, 4)).astype(np.float32)
    if target_kind == "indices":
        target = rng.integers(0, 4, 6)
        if name == "NLLLoss":
            x = x - np.log(np.exp(x).sum(1, keepdims=True))
    elif target_kind == "probs":
        target = rng.dirichlet(np.ones(4), 6).astype(np.float32)
    elif target_kind == "binary":
        target = rng.integers(0, 2, (6, 4)).astype(np.float32)
    else:
        target = rng.standard_normal((6, 4)).astype(np.float32)
    torch_kwargs = {k: torch.tensor(v, dtype=torch.float32) if isinstance(v, list) else v
                    for k, v in kwargs.items()}
    layer, ref = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**torch_kwargs)
    torch_target = torch.tensor(target) if target.dtype == np.int64 else \
        torch.tensor(target, dtype=torch.float64)
    check_against_torch(torch, layer, ref, [x],
                        forward=lambda m, a: m(a, target),
                        torch_forward=lambda m, a: m(a, torch_target))
    assert repr(layer) == repr(ref)


def test_loss_errors_and_legacy_arguments(torch):
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match="ignore_index"):
        nn.NLLLoss(ignore_index=1.5)
    with pytest.warns(UserWarning, match="size_average"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduce"):
        assert nn.NLLLoss(reduce=False).reduction == "none"


def test_loss_weight_is_a_buffer_as_in_torch(torch):
    layer = nn.CrossEntropyLoss(weight=np.array([1.0, 2.0]))
    ref = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0]))
    assert list(layer.state_dict()) == list(ref.state_dict()) == ["weight"]
    load_from_torch(layer, ref)
    assert list(nn.BCEWithLogitsLoss(pos_weight=[2.0]).state_dict()) == \
        list(torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0])).state_dict())
