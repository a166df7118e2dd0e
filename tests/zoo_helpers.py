"""Helpers for the model-zoo tests: one thread, fast construction, a tiny MNIST
reader, an SGD loop.

fast_init replaces the random initialisers by a zero fill while a model is
built: parameter counts and shapes do not depend on the values, and drawing
138 million float64 normals for VGG-16 takes seconds. read_mnist reads the
IDX files of ../shared/data/mnist (gzip); train_steps runs plain SGD with
momentum on NumPy views of the parameters (convcore.optim lives elsewhere).
"""
import contextlib
import gzip
from pathlib import Path

import numpy as np
import pytest

import convcore
from convcore import nn

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def one_thread():
    """Run the test on one convcore thread. On a shared two-core machine with other
    work running, two OpenMP threads that spin-wait at every op's barrier make these
    small layers 20-60 times slower (OMP_WAIT_POLICY=passive avoids it too)."""
    previous = convcore.get_num_threads()
    convcore.set_num_threads(1)
    yield
    convcore.set_num_threads(previous)


def _zero_fill(tensor, *args, **kwargs):
    np.asarray(tensor)[...] = 0.0
    return tensor


@contextlib.contextmanager
def fast_init():
    """Within the block, nn.init's random fills write zeros instead (fast, deterministic)."""
    names = ("uniform_", "normal_", "trunc_normal_")
    saved = {name: getattr(nn.init, name) for name in names}
    try:
        for name in names:
            setattr(nn.init, name, _zero_fill)
        yield
    finally:
        for name, fn in saved.items():
            setattr(nn.init, name, fn)


def count_params(model) -> int:
    return sum(int(np.prod(p.shape)) for p in model.parameters())


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_available() -> bool:
    return (DATA / "mnist" / "train-images-idx3-ubyte.gz").exists()


def read_mnist(count: int):
    """The first `count` training images, standardised, [count, 1, 28, 28], and labels."""
    images = _read_idx(DATA / "mnist" / "train-images-idx3-ubyte.gz")[:count]
    labels = _read_idx(DATA / "mnist" / "train-labels-idx1-ubyte.gz")[:count]
    x = (images.astype(np.float32) / 255.0 - 0.1307) / 0.3081
    return x[:, None], labels.astype(np.int64)


def train_steps(model, images, labels, steps: int, batch: int, lr: float, seed: int = 0,
                momentum: float = 0.9, pad: int = 0):
    """SGD with momentum on random mini-batches; returns the loss of every step."""
    rng = np.random.default_rng(seed)
    params = list(model.parameters())
    velocity = [np.zeros(p.shape, np.float32) for p in params]
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for _ in range(steps):
        index = rng.integers(0, len(images), batch)
        x = images[index]
        if pad:
            x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        out = model(convcore.tensor(np.ascontiguousarray(x)))
        loss = loss_fn(out, labels[index])
        model.zero_grad()
        loss.backward()
        for p, v in zip(params, velocity):
            v *= momentum
            v += np.asarray(p.grad)
            np.asarray(p)[...] -= lr * v
        losses.append(float(loss.item()))
    return losses


def randomize(model, seed: int = 0):
    """He-normal weights, unit norm scales, zero biases, drawn in float32 (fast)."""
    rng = np.random.default_rng(seed)
    for name, p in model.named_parameters():
        values = np.asarray(p)
        if values.ndim > 1:
            fan_in = int(np.prod(values.shape[1:]))
            draws = rng.standard_normal(values.shape, dtype=np.float32)
            values[...] = draws * np.float32(np.sqrt(2.0 / fan_in))
        elif name.endswith("weight"):
            values[...] = 1.0
        else:
            values[...] = 0.0
    return model
