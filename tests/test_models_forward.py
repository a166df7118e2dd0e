"""Every zoo model runs forward and backward at batch 2.

By default each runs at a small input its design allows (global or adaptive
pooling heads), with 10 classes, which exercises the same layers in seconds;
LeNet-5, the small conv net, ResNet-20 and the CIFAR NiN run at their
intended size. (CaffeNet and ZFNet are AlexNet's layers in other orders and
sizes; test_summary.py runs them forward at full size.) CONVCORE_FULL_ZOO=1
runs every model at its default options and intended input size (minutes).
"""
import os

import numpy as np
import pytest

import convcore
from convcore import models

from zoo_helpers import fast_init, randomize, one_thread  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("one_thread")

SMALL = [
    ("small_cnn", {}, (1, 28, 28)),
    ("small_cnn", {"in_channels": 3, "input_size": 32}, (3, 32, 32)),
    ("lenet5", {"sparse_c3": True}, (1, 32, 32)),
    ("resnet20", {}, (3, 32, 32)),
    ("nin", {"variant": "cifar"}, (3, 32, 32)),
    ("nin", {"batch_norm": True}, (3, 67, 67)),
    ("alexnet", {"groups": 2}, (3, 67, 67)),
    ("alexnet", {"style": "torchvision"}, (3, 64, 64)),
    ("vgg11_lrn", {"input_size": 32, "width": 0.25, "hidden": 64}, (3, 32, 32)),
    ("vgg16_c", {"input_size": 32, "width": 0.25, "hidden": 64, "batch_norm": True},
     (3, 32, 32)),
    ("vgg19", {"input_size": 32, "width": 0.25, "hidden": 64}, (3, 32, 32)),
    ("googlenet", {"input_size": 96}, (3, 96, 96)),
    ("inception_v3", {"aux_logits": False}, (3, 75, 75)),
    ("resnet18", {}, (3, 32, 32)),
    ("resnet50", {"zero_init_residual": True}, (3, 32, 32)),
    ("resnext50_32x4d", {}, (3, 32, 32)),
    ("mobilenet_v1", {"width": 0.5}, (3, 32, 32)),
    ("mobilenet_v2", {}, (3, 32, 32)),
    ("xception", {}, (3, 71, 71)),
    ("densenet121", {}, (3, 32, 32)),
]


def forward_backward(model, shape, classes):
    x = convcore.tensor(np.random.default_rng(1).standard_normal((2,) + tuple(shape))
                        .astype(np.float32), requires_grad=True)
    model.train()
    out = model(x)
    outputs = list(out) if isinstance(out, tuple) else [out]
    for o in outputs:
        assert o.shape == (2, classes)
    loss = convcore.functional.sum(outputs[0])
    for o in outputs[1:]:  # auxiliary classifiers join the loss, as in training
        loss = loss + 0.3 * convcore.functional.sum(o)
    loss.backward()
    assert x.grad is not None and x.grad.shape == x.shape
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        assert np.isfinite(np.asarray(p.grad)).all(), name
    model.eval()
    with convcore.no_grad():
        assert model(x).shape == (2, classes)  # evaluation: logits only
    return outputs


@pytest.mark.parametrize("name, options, shape", SMALL,
                         ids=[f"{s[0]}-{i}" for i, s in enumerate(SMALL)])
def test_forward_backward_small_input(name, options, shape):
    with fast_init():
        model = models.create(name, num_classes=10, **options)
    randomize(model)
    outputs = forward_backward(model, shape, 10)
    if name == "googlenet":
        assert len(outputs) == 3 and type(outputs[0]).__name__ == "Tensor"


@pytest.mark.skipif(not os.environ.get("CONVCORE_FULL_ZOO"),
                    reason="set CONVCORE_FULL_ZOO=1 to run every model at its intended size")
@pytest.mark.parametrize("name", models.list_models())
def test_forward_backward_intended_size(name):
    model = models.create(name)
    classes = model.architecture["arguments"].get("num_classes", 10 if name in (
        "small_cnn", "lenet5", "resnet20", "resnet32", "resnet44", "resnet56") else 1000)
    forward_backward(model, model.default_input_size, classes)
