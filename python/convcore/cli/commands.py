"""What `convcore train`, `convcore evaluate` and `convcore summary` do.

Each command takes the parsed arguments and returns a dict of results,
which the entry point prints as text or, with --json, as JSON.
"""
from __future__ import annotations

import inspect
import json
import time
from pathlib import Path
from typing import Any, Dict

import numpy as np

from .. import _random, _runtime, models, nn, optim, train
from ..data import DataLoader, train_val_split
from . import datasets


def _optimizer(name: str, params, lr: float, momentum: float, weight_decay: float):
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"--optimizer: expected sgd, adam, adamw or rmsprop, got {name!r}")


def _model(name: str, spec: datasets.DataSpec) -> nn.Module:
    """The zoo model `name`, shaped for the data set (classes, channels, image size)."""
    options = dict(num_classes=len(spec.classes), in_channels=spec.in_channels)
    if "input_size" in inspect.signature(models.get(name)).parameters:
        options["input_size"] = spec.input_size
    options.update(spec.model_options.get(name, {}))
    return models.create(name, **options)


def train_command(args) -> Dict[str, Any]:
    if args.threads:
        _runtime.set_num_threads(args.threads)
    _random.manual_seed(args.seed)
    spec = datasets.load(args.dataset, args.data_dir)
    settings = {**spec.defaults, **{k: v for k, v in vars(args).items()
                                    if k in ("epochs", "batch_size", "lr", "momentum")
                                    and v is not None}}
    model = _model(args.model, spec)
    optimizer = _optimizer(args.optimizer, model.parameters(), settings["lr"],
                           settings["momentum"], args.weight_decay)
    scheduler = (optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings["epochs"])
                 if args.schedule == "cosine" else None)
    # A tenth of the training set validates each epoch (the curves' second line); the test
    # set is touched once, at the end.
    train_part, val_part = train_val_split(spec.train, val_size=0.1, seed=args.seed)
    loader = DataLoader(train_part, batch_size=settings["batch_size"], shuffle=True,
                        seed=args.seed, num_workers=1)
    val_loader = DataLoader(val_part, batch_size=256)
    test_loader = DataLoader(spec.test, batch_size=256)
    out = Path(args.out or f"runs/{args.model}-{Path(args.dataset).name}")
    start = time.perf_counter()
    history = train.fit(model, optimizer, loader, settings["epochs"], scheduler=scheduler,
                        val_loader=val_loader,
                        checkpoint_dir=out, resume=args.resume, progress=not args.json,
                        checkpoint_extra={"architecture": model.architecture,
                                          "dataset": args.dataset})
    seconds = time.perf_counter() - start
    test = train.evaluate(model, test_loader, num_classes=len(spec.classes))
    description = {"dataset": args.dataset, "classes": spec.classes,
                   "input_size": [spec.in_channels, spec.input_size, spec.input_size],
                   "metrics": {"test_loss": test.loss, "test_accuracy": test.accuracy}}
    weights = train.save_model(model, out / "model", description)
    (out / "history.json").write_text(json.dumps(history.to_dict(), indent=2) + "\n")
    plot = history.plot(out / "curves.png", title=f"{args.model} on {args.dataset}")
    return {"model": args.model, "dataset": args.dataset, "epochs": history.epochs,
            "train_loss": history.train_loss[-1], "train_accuracy": history.train_accuracy[-1],
            "val_loss": history.val_loss[-1], "val_accuracy": history.val_accuracy[-1],
            "test_loss": test.loss, "test_accuracy": test.accuracy, "seconds": seconds,
            "images_per_second": float(np.median(history.images_per_second)),
            "threads": _runtime.get_num_threads(), "model_file": str(weights), "plot": plot,
            "checkpoint": str(out / "last.ckpt")}


def evaluate_command(args) -> Dict[str, Any]:
    path = Path(args.checkpoint)
    if path.suffix == ".ckpt":
        state = train.load_checkpoint(path)
        arch = state.extra.get("architecture")
        if not arch:
            raise ValueError(f"--checkpoint: {path} records no model architecture")
        model = models.create(arch["name"], **arch["arguments"])
        model.load_state_dict(state.model_state)
        dataset = args.dataset or state.extra.get("dataset")
    else:
        model = train.load_model(path)
        dataset = args.dataset or train.read_description(path).get("dataset")
    if dataset is None:
        raise ValueError("--dataset: the model file names no data set; give one")
    spec = datasets.load(dataset, args.data_dir)
    result = train.evaluate(model, DataLoader(spec.test, batch_size=256),
                            num_classes=len(spec.classes))
    return {"dataset": dataset, "test_loss": result.loss, "test_accuracy": result.accuracy,
            "images": result.count, "classes": spec.classes,
            "confusion": result.confusion.tolist()}


def summary_command(args) -> Dict[str, Any]:
    from .. import summary

    model = models.create(args.name, **json.loads(args.options or "{}"))
    table = summary(model, tuple(args.input_size) if args.input_size else None)
    return {"name": args.name, "table": str(table), "parameters": table.total_params,
            "operations": table.total_ops}
