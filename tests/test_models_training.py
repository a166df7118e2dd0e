"""The small zoo models train: a few hundred SGD steps on real MNIST images
(../shared/data/mnist) and the loss falls.

Each run: random mini-batches from the first 6,000 training images, SGD with
momentum 0.9; the claim checked is that the mean loss of the last 20 steps
is below 0.8 x the mean of the first 20 (the runs reach 0.1-0.7 x). VGG and
MobileNet are width-reduced and take the digits zero-padded to 32x32.
"""
import numpy as np
import pytest

import convcore
from convcore import models

from zoo_helpers import mnist_available, one_thread, read_mnist, train_steps  # noqa: F401

pytestmark = [pytest.mark.usefixtures("one_thread"),
              pytest.mark.skipif(not mnist_available(), reason="../shared/data/mnist is absent")]


@pytest.fixture(scope="module")
def mnist():
    return read_mnist(6000)


# name, builder, padding, steps, batch, learning rate
RUNS = [
    ("lenet5", lambda: models.lenet5(input_size=28), 0, 200, 16, 0.05),
    ("small_cnn", lambda: models.small_cnn(), 0, 100, 16, 0.02),
    ("resnet20", lambda: models.resnet20(in_channels=1), 0, 100, 8, 0.05),
    ("vgg11", lambda: models.vgg11(num_classes=10, in_channels=1, input_size=32, width=0.125,
                                   hidden=64, dropout=0.0), 2, 150, 16, 0.02),
    ("mobilenet_v1", lambda: models.mobilenet_v1(num_classes=10, in_channels=1, width=0.25,
                                                 input_size=32, dropout=0.0), 2, 150, 16, 0.05),
]


@pytest.mark.parametrize("name, build, pad, steps, batch, lr", RUNS, ids=[r[0] for r in RUNS])
def test_loss_falls(mnist, name, build, pad, steps, batch, lr):
    images, labels = mnist
    convcore.manual_seed(0)
    model = build()
    losses = train_steps(model, images, labels, steps, batch, lr, pad=pad)
    assert all(np.isfinite(losses))
    first, last = np.mean(losses[:20]), np.mean(losses[-20:])
    assert last < 0.8 * first, f"{name}: loss {first:.3f} -> {last:.3f}"
