"""Choose the linear classifier's learning rate and L2 strength as the decks do.

    python examples/tune_linear_cifar10.py --data-dir ../shared/data

"Train for a few iterations and evaluate accuracy on the validation set for a
number of learning rates and regularization strengths": a coarse random
search, log-uniform over wide ranges, then a finer one around the best
trials, each trial a few hundred SGD steps on the 45,000-image training split
scored on the 5,000-image validation split.
"""
import argparse
import os
from pathlib import Path

import numpy as np

import convcore
from convcore import data, nn, optim, train, tune

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("CONVCORE_DATA", ROOT.parent / "shared/data")))
    parser.add_argument("--coarse", type=int, default=12, help="trials in the coarse round")
    parser.add_argument("--fine", type=int, default=8, help="trials in the fine round")
    parser.add_argument("--steps", type=int, default=300, help="SGD steps per trial")
    args = parser.parse_args()

    cifar = data.CIFAR10(args.data_dir / "cifar10-jpg", train=True)
    x = cifar.data.reshape(len(cifar.data), -1).astype(np.float32)
    y = np.asarray(cifar.targets)
    order = np.random.default_rng(0).permutation(len(x))
    tr, va = order[:45000], order[45000:]
    mean = x[tr].mean(axis=0)
    train_set = data.TensorDataset(x[tr] - mean, y[tr])
    val_loader = data.DataLoader(data.TensorDataset(x[va] - mean, y[va]), batch_size=1000)
    batches_per_epoch = len(train_set) // 200

    def objective(params):
        convcore.manual_seed(0)
        model = nn.Linear(3072, 10)
        nn.init.normal_(model.weight, 0.0, 1e-4)
        nn.init.zeros_(model.bias)
        optimizer = optim.SGD([{"params": [model.weight], "weight_decay": params["reg"]},
                               {"params": [model.bias]}], lr=params["lr"])
        subset = data.Subset(train_set, np.arange(min(len(train_set), args.steps * 200)))
        loader = data.DataLoader(subset, batch_size=200, shuffle=True, seed=0)
        epochs = max(1, args.steps // batches_per_epoch)
        train.fit(model, optimizer, loader, epochs, progress=False)
        result = train.evaluate(model, val_loader)
        return result.accuracy if np.isfinite(result.loss) else float("nan")

    space = {"lr": tune.Range(1e-8, 1e-4), "reg": tune.Range(1e0, 1e5)}
    coarse, fine = tune.coarse_to_fine(objective, space, args.coarse, args.fine, verbose=True)
    print("\ncoarse round (best first):\n" + str(coarse))
    print("\nfine round (best first):\n" + str(fine))
    best = max(coarse.best, fine.best, key=lambda t: t.score)
    print(f"\nbest: lr {best.params['lr']:.3g}, L2 {best.params['reg']:.3g} -> validation accuracy "
          f"{best.score:.3f} (the deck chose lr 1e-6, L2 5e2)")


if __name__ == "__main__":
    main()
