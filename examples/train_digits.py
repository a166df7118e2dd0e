"""Train a small convolutional network on scikit-learn's 8x8 digits with
nothing but convcore's functional ops and autograd (no download needed).

    python examples/train_digits.py [--epochs 15] [--threads 2]

The model: conv 3x3 (1 -> 16) + ReLU, conv 3x3 stride 2 (16 -> 32) + ReLU,
fully connected 512 -> 10, softmax cross-entropy; SGD with momentum written
out by hand. It reaches about 97% test accuracy in a few seconds.
"""
import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

import convcore
import convcore.functional as F


def init(rng, shape, fan_in):
    """He-normal weights as a leaf tensor that records gradients."""
    return convcore.tensor(rng.standard_normal(shape) * np.sqrt(2.0 / fan_in), requires_grad=True)


def forward(params, x):  # x: [N, 1, 8, 8] -> logits [N, 10]
    w1, b1, w2, b2, w3, b3 = params
    h = F.relu(F.conv2d(x, w1, b1, padding=1))             # [N, 16, 8, 8]
    h = F.relu(F.conv2d(h, w2, b2, stride=2, padding=1))   # [N, 32, 4, 4]
    return F.matmul(F.flatten(h, 1), w3) + b3              # [N, 10]


def cross_entropy(logits, labels):
    """Mean of -log softmax(logits)[label], stable: the row max is subtracted."""
    z = logits - logits.numpy().max(axis=1, keepdims=True)
    log_probs = z - F.log(F.sum(F.exp(z), dim=1, keepdim=True))
    one_hot = np.eye(10, dtype=np.float32)[labels]
    return -F.sum(log_probs * one_hot) / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        convcore.set_num_threads(args.threads)

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # [1797, 1, 8, 8] in [0, 1]
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(images))
    test, train = order[:360], order[360:]
    mean = images[train].mean()
    x_train, y_train = images[train] - mean, digits.target[train]
    x_test, y_test = images[test] - mean, digits.target[test]

    params = [init(rng, (16, 1, 3, 3), 9), convcore.zeros([16], requires_grad=True),
              init(rng, (32, 16, 3, 3), 144), convcore.zeros([32], requires_grad=True),
              init(rng, (512, 10), 512), convcore.zeros([10], requires_grad=True)]
    velocity = [np.zeros(p.shape, np.float32) for p in params]

    print(f"digits: {len(train)} train / {len(test)} test images, {convcore.get_isa()}, "
          f"{convcore.get_num_threads()} threads")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        perm = rng.permutation(len(x_train))
        total, correct = 0.0, 0
        for i in range(0, len(perm), args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = forward(params, x_train[idx])
            loss = cross_entropy(logits, y_train[idx])
            loss.backward()
            with convcore.no_grad():  # SGD with momentum, in place through NumPy views
                for p, v in zip(params, velocity):
                    v *= args.momentum
                    v -= args.lr * np.asarray(p.grad)
                    np.asarray(p)[...] += v
                    p.grad = None
            total += loss.item() * len(idx)
            correct += int((logits.numpy().argmax(axis=1) == y_train[idx]).sum())
        print(f"epoch {epoch:2d}  loss {total / len(perm):.4f}  train accuracy {correct / len(perm):.3f}")

    with convcore.no_grad():
        predictions = forward(params, x_test).numpy().argmax(axis=1)
    accuracy = float((predictions == y_test).mean())
    elapsed = time.perf_counter() - start
    print(f"test accuracy {accuracy:.3f} ({len(test)} images), trained in {elapsed:.1f} s "
          f"({args.epochs * len(train) / elapsed:.0f} images/s)")


if __name__ == "__main__":
    main()
