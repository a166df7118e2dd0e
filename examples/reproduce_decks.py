"""Reproduce the results the lecture decks report (SPEC section 3), side by side.

    python examples/reproduce_decks.py --data-dir ../shared/data            # all of them
    python examples/reproduce_decks.py small-cnn-mnist lenet5-mnist --record

Each experiment follows the deck's recipe: plain mini-batch SGD, the
regulariser (lambda / 2) * sum of squared weights (so weight decay lambda on
the weights, none on the biases), the deck's batch size, learning rate and
initialisation. --record writes the row into docs/results.md. CIFAR-10 is
read from ../shared/data's JPEG re-encodings, which cost a little accuracy.
"""
from __future__ import annotations

import argparse
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict

import numpy as np

import convcore
from convcore import data, models, nn, optim, train

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Experiment:
    model: str
    dataset: str
    settings: str
    reported: str             # as the deck prints it
    reported_error: float     # test error the deck reports (an upper bound for "under 1%")
    run: Callable[[argparse.Namespace], Dict]


def sgd_with_l2(model: nn.Module, lr: float, lam: float, momentum: float = 0.0):
    """SGD on (lambda / 2) * ||W||^2: weight decay lambda on weights, none on biases."""
    weights = [p for name, p in model.named_parameters() if not name.endswith("bias")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    return optim.SGD([{"params": weights, "weight_decay": lam},
                      {"params": biases, "weight_decay": 0.0}], lr=lr, momentum=momentum)


def gaussian_init(model: nn.Module, std: float) -> None:
    """The decks' initialisation: every weight N(0, std^2), biases zero."""
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            nn.init.zeros_(p)
        else:
            nn.init.normal_(p, 0.0, std)


def fit_and_test(model, optimizer, train_set, test_set, epochs, batch_size, seed, val_set=None,
                 scheduler=None):
    loader = data.DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=seed,
                             num_workers=1)
    history = train.fit(model, optimizer, loader, epochs, scheduler=scheduler,
                        val_loader=val_set and data.DataLoader(val_set, batch_size=1000))
    test = train.evaluate(model, data.DataLoader(test_set, batch_size=1000))
    return {"test_error": 1.0 - test.accuracy, "epochs": epochs,
            "val_accuracy": history.val_accuracy[-1] if history.val_accuracy else None,
            "images_per_second": float(np.median(history.images_per_second))}


# --- CIFAR-10, vectorised: the linear classifier and the two-layer net -------------------------

def cifar_vectors(args):
    """45,000 / 5,000 / 10,000 raw pixel vectors (0..255) centred on the training mean."""
    train_set = data.CIFAR10(args.data_dir, train=True)
    test_set = data.CIFAR10(args.data_dir, train=False)
    x = train_set.data.reshape(len(train_set.data), -1).astype(np.float32)
    x_test = test_set.data.reshape(len(test_set.data), -1).astype(np.float32)
    order = np.random.default_rng(args.seed).permutation(len(x))
    tr, va = order[:45000], order[45000:]
    mean = x[tr].mean(axis=0)
    y, y_test = np.asarray(train_set.targets), np.asarray(test_set.targets)
    return (data.TensorDataset(x[tr] - mean, y[tr]), data.TensorDataset(x[va] - mean, y[va]),
            data.TensorDataset(x_test - mean, y_test))


def linear_cifar10(args):
    train_set, val_set, test_set = cifar_vectors(args)
    model = nn.Linear(3072, 10)
    gaussian_init(model, 1e-4)
    return fit_and_test(model, sgd_with_l2(model, lr=1e-6, lam=5e2), train_set, test_set,
                        epochs=10, batch_size=200, seed=args.seed, val_set=val_set)


def two_layer_cifar10(args):
    train_set, val_set, test_set = cifar_vectors(args)
    model = nn.Sequential(nn.Linear(3072, 100), nn.ReLU(), nn.Linear(100, 10))
    gaussian_init(model, 1e-4)
    optimizer = sgd_with_l2(model, lr=2e-3, lam=2e-1)
    # At a constant 2e-3 the validation accuracy swings between 43% and 48% from epoch 2 on
    # (45% test): the rate is too high once the loss is low. Decaying it by 0.9 per epoch,
    # as the course these settings come from does, settles it (see docs/results.md).
    decay = optim.lr_scheduler.ExponentialLR(optimizer, gamma=args.lr_decay)
    return fit_and_test(model, optimizer, train_set, test_set, epochs=10, batch_size=200,
                        seed=args.seed, val_set=val_set, scheduler=decay)


# --- images: the small conv net and LeNet-5 ----------------------------------------------------

def centred(train_set, test_set):
    """Images in [0, 1] minus the training set's mean image."""
    centre = data.transforms.CenterMean.fit(train_set)
    pipeline = data.transforms.Compose([data.transforms.ToTensor(), centre])
    return train_set.with_transform(pipeline), test_set.with_transform(pipeline)


def small_cnn(args, dataset, in_channels, input_size):
    """The decks' small conv net with their recipe: N(0, 0.1^2) weights, lr 1e-2, L2 1e-2."""
    train_set, test_set = centred(dataset(args.data_dir, train=True),
                                  dataset(args.data_dir, train=False))
    model = models.small_cnn(in_channels=in_channels, input_size=input_size)
    gaussian_init(model, 0.1)
    return fit_and_test(model, sgd_with_l2(model, lr=1e-2, lam=1e-2), train_set, test_set,
                        epochs=args.epochs or 10, batch_size=128, seed=args.seed)


def small_cnn_mnist(args):
    return small_cnn(args, data.MNIST, 1, 28)


def small_cnn_cifar10(args):
    return small_cnn(args, data.CIFAR10, 3, 32)


def lenet5_mnist(args):
    """The classic LeNet-5 (scaled tanh, average pooling) with the paper's input scaling
    (zero mean, unit variance) and a cosine-decayed rate over 20 epochs."""
    normalise = data.transforms.Compose([data.transforms.ToTensor(),
                                         data.transforms.Normalize((0.1307,), (0.3081,))])
    train_set = data.MNIST(args.data_dir, train=True, transform=normalise)
    test_set = data.MNIST(args.data_dir, train=False, transform=normalise)
    model = models.lenet5(input_size=28)
    epochs = args.epochs or 20
    optimizer = sgd_with_l2(model, lr=0.02, lam=5e-4, momentum=0.9)
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    return fit_and_test(model, optimizer, train_set, test_set, epochs=epochs, batch_size=64,
                        seed=args.seed, scheduler=schedule)


EXPERIMENTS = {
    "linear-cifar10": Experiment("linear classifier", "CIFAR-10 (JPEG)",
                                 "batch 200, lr 1e-6, L2 5e2", "38% accuracy", 0.62,
                                 linear_cifar10),
    "two-layer-cifar10": Experiment("2-layer net, 100 hidden", "CIFAR-10 (JPEG)",
                                    "batch 200, lr 2e-3 x 0.9 per epoch, L2 2e-1",
                                    "51% accuracy",
                                    0.49, two_layer_cifar10),
    "small-cnn-mnist": Experiment("small conv net", "MNIST",
                                  "batch 128, lr 1e-2, L2 1e-2, N(0, 0.1) init", "1.2% error",
                                  0.012, small_cnn_mnist),
    "small-cnn-cifar10": Experiment("small conv net", "CIFAR-10 (JPEG)",
                                    "batch 128, lr 1e-2, L2 1e-2, N(0, 0.1) init", "28% error",
                                    0.28, small_cnn_cifar10),
    "lenet5-mnist": Experiment("LeNet-5 (tanh, avg-pool)", "MNIST",
                               "batch 64, SGD momentum 0.9, lr 0.02 cosine, L2 5e-4, "
                               "inputs normalised",
                               "under 1% error", 0.01, lenet5_mnist),
}


def record(name: str, exp: Experiment, result: Dict, seconds: float) -> None:
    """Replace (or add) this experiment's row of the table in docs/results.md."""
    path = ROOT / "docs" / "results.md"
    text = path.read_text()
    row = (f"| {name} | {exp.model} | {exp.dataset} | {exp.settings}, {result['epochs']} epochs "
           f"| {exp.reported} | {100 * result['test_error']:.2f}% error "
           f"({100 * (1 - result['test_error']):.1f}% accuracy) | {seconds / 60:.1f} min, "
           f"{result['images_per_second']:.0f} img/s |")
    pattern = re.compile(rf"^\| {re.escape(name)} \|.*$", re.M)
    text = pattern.sub(row, text) if pattern.search(text) else text.replace(
        "<!-- rows -->", f"<!-- rows -->\n{row}")
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiments", nargs="*", metavar="NAME",
                        help=f"any of {', '.join(EXPERIMENTS)} (default: all)")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("CONVCORE_DATA", ROOT.parent / "shared/data")))
    parser.add_argument("--epochs", type=int, help="override the image models' epoch count")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr-decay", type=float, default=0.9,
                        help="the two-layer net's learning-rate factor per epoch (1: the deck's "
                             "constant rate)")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--record", action="store_true", help="write the rows of docs/results.md")
    args = parser.parse_args()
    unknown = [name for name in args.experiments if name not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment {unknown[0]!r}: choose from {', '.join(EXPERIMENTS)}")
    if args.threads:
        convcore.set_num_threads(args.threads)
    for name in args.experiments or EXPERIMENTS:
        exp = EXPERIMENTS[name]
        convcore.manual_seed(args.seed)
        start = time.perf_counter()
        result = exp.run(args)
        seconds = time.perf_counter() - start
        print(f"{name}: deck {exp.reported} | convcore {100 * result['test_error']:.2f}% error "
              f"({100 * (1 - result['test_error']):.1f}% accuracy) in {seconds / 60:.1f} min")
        if args.record:
            record(name, exp, result, seconds)


if __name__ == "__main__":
    main()
