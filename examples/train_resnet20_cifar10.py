"""Train the CIFAR ResNet-20 on CIFAR-10 and time PyTorch on the same work.

    python examples/train_resnet20_cifar10.py --data-dir ../shared/data --epochs 8 --threads 1

He et al. (2016)'s recipe, shortened to fit a time budget: batch 128, SGD
with momentum 0.9 and weight decay 5e-4 (1e-4 in the paper, whose 164 epochs
regularise by length), learning rate 0.1 decayed to zero by a cosine over the
epochs, 4-pixel padding + random 32x32 crop + horizontal flip, per-channel
normalisation. The test set is evaluated after every epoch.

First, unless --torch-epochs 0, PyTorch trains its twin of the model
(benchmarks/torch_models.py) for that many epochs on the very same loader,
optimizer settings and thread count, so the two times per epoch compare the
libraries and nothing else. Writes OUT/summary.json and OUT/history.png.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import convcore
from convcore import data, models, nn, optim, train

ROOT = Path(__file__).resolve().parents[1]
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def loaders(data_dir, batch_size, seed, limit=None):
    T = data.transforms
    augment = T.Compose([T.ToTensor(), T.RandomCrop(32, padding=4, seed=seed),
                         T.RandomHorizontalFlip(seed=seed + 1), T.Normalize(MEAN, STD)])
    plain = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    train_set = data.CIFAR10(data_dir, train=True, transform=augment)
    test_set = data.CIFAR10(data_dir, train=False, transform=plain)
    if limit:  # a random subset: the files are stored class by class
        pick = np.random.default_rng(seed)
        train_set = data.Subset(train_set, pick.permutation(len(train_set))[:limit])
        test_set = data.Subset(test_set, pick.permutation(len(test_set))[:limit])
    return (data.DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=seed,
                            num_workers=1),
            data.DataLoader(test_set, batch_size=1000))


def sgd(params_named, lr, weight_decay, make):
    """SGD with weight decay on weights only (not on biases and BN parameters)."""
    named = list(params_named)
    decay = [p for n, p in named if n.endswith("weight") and p.ndim > 1]
    rest = [p for n, p in named if not (n.endswith("weight") and p.ndim > 1)]
    return make([{"params": decay, "weight_decay": weight_decay},
                 {"params": rest, "weight_decay": 0.0}], lr=lr, momentum=0.9)


def time_torch(train_loader, epochs, args):
    """Seconds per epoch and images per second of PyTorch on the same batches."""
    import torch

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import torch_models

    torch.manual_seed(args.seed)
    model = torch_models.resnet20()
    opt = sgd(model.named_parameters(), args.lr, args.weight_decay, torch.optim.SGD)
    loss_fn = torch.nn.CrossEntropyLoss()
    seconds, images = [], 0
    model.train()
    for epoch in range(1, epochs + 1):
        train_loader.set_epoch(epoch)
        start, total, correct, count = time.perf_counter(), 0.0, 0, 0
        for x, y in train_loader:
            x = torch.from_numpy(x.numpy())
            y = torch.from_numpy(np.asarray(y))
            logits = model(x)
            loss = loss_fn(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
        seconds.append(time.perf_counter() - start)
        images = count
        print(f"torch epoch {epoch}: {seconds[-1]:.0f} s, {count / seconds[-1]:.1f} img/s, "
              f"loss {total / count:.4f}, train accuracy {correct / count:.3f}", flush=True)
    return {"seconds_per_epoch": float(np.median(seconds)),
            "images_per_second": images / float(np.median(seconds)), "epochs": epochs}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--threads", type=int, default=1, help="for both libraries")
    p.add_argument("--torch-epochs", type=int, default=1,
                   help="epochs PyTorch is timed on first (0: skip)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None,
                   help="use only the first LIMIT training and test images (a quick check)")
    p.add_argument("--out", default=str(ROOT / "runs" / "resnet20-cifar10"))
    args = p.parse_args(argv)

    convcore.set_num_threads(args.threads)
    convcore.manual_seed(args.seed)
    train_loader, test_loader = loaders(args.data_dir, args.batch_size, args.seed, args.limit)
    summary = {"settings": vars(args), "machine": convcore._C.config_string()}
    if args.torch_epochs > 0:
        import torch

        torch.set_num_threads(args.threads)
        summary["torch"] = {"version": torch.__version__,
                            **time_torch(train_loader, args.torch_epochs, args)}

    model = models.resnet20()
    optimizer = sgd(model.named_parameters(), args.lr, args.weight_decay, optim.SGD)
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    started = time.perf_counter()
    history = train.fit(model, optimizer, train_loader, args.epochs, scheduler=schedule,
                        val_loader=test_loader, checkpoint_dir=args.out)
    wall = time.perf_counter() - started
    summary["convcore"] = {
        "version": convcore.__version__, "isa": convcore.get_isa(),
        "test_accuracy": history.val_accuracy[-1], "best_test_accuracy": max(history.val_accuracy),
        "test_accuracy_per_epoch": history.val_accuracy,
        "train_accuracy_per_epoch": history.train_accuracy,
        "seconds_per_epoch": float(np.median(history.seconds)),
        "images_per_second": float(np.median(history.images_per_second)),
        "wall_seconds": wall, "epochs": args.epochs}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    history.plot(out / "history.png")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    print(json.dumps({k: v for k, v in summary.items() if k != "machine"}, indent=2, default=str))


if __name__ == "__main__":
    main()
