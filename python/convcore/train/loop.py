"""fit and evaluate: the training loop of convcore, one page.

fit runs epochs of mini-batch training (forward, loss, backward, optimizer
step) with a tqdm bar showing loss, accuracy and images per second; after
each epoch it validates, steps the schedule, records the History, writes a
checkpoint and stops early if asked. evaluate returns loss, accuracy and the
confusion matrix. Left out on purpose: multiple devices, mixed precision,
gradient accumulation: convcore trains fp32 on one CPU process.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from .. import _runtime
from ..nn import CrossEntropyLoss
from ..optim.lr_scheduler import ReduceLROnPlateau
from .checkpoint import load_checkpoint, restore_training_state, save_checkpoint
from .history import History


@dataclass
class Evaluation:
    loss: float
    accuracy: float
    confusion: np.ndarray  # [classes, classes] int64: rows true class, columns prediction
    count: int


def _predictions(logits) -> np.ndarray:  # logits: [N, classes] -> [N]
    return np.asarray(logits).argmax(axis=1)


def evaluate(model, loader, loss_fn: Optional[Callable] = None,
             num_classes: Optional[int] = None) -> Evaluation:
    """Mean loss, accuracy and confusion matrix of model over every batch of loader."""
    loss_fn = loss_fn or CrossEntropyLoss()
    was_training = model.training
    model.eval()
    total_loss, count, pairs = 0.0, 0, []
    with _runtime.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += loss_fn(logits, labels).item() * len(labels)
            count += len(labels)
            pairs.append((np.asarray(labels), _predictions(logits)))
    model.train(was_training)
    if count == 0:
        raise ValueError("loader: yielded no batches to evaluate")
    truth = np.concatenate([t for t, _ in pairs])
    predicted = np.concatenate([p for _, p in pairs])
    classes = num_classes or int(max(truth.max(), predicted.max())) + 1
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    return Evaluation(total_loss / count, float((truth == predicted).mean()), confusion, count)


def _train_epoch(model, loader, optimizer, loss_fn, bar):
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    start = time.perf_counter()
    for images, labels in loader:
        logits = model(images)
        loss = loss_fn(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        correct += int((_predictions(logits) == np.asarray(labels)).sum())
        count += len(labels)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{total_loss / count:.4f}", acc=f"{correct / count:.3f}",
                            img_s=f"{count / (time.perf_counter() - start):.0f}", refresh=False)
    seconds = time.perf_counter() - start
    return total_loss / max(count, 1), correct / max(count, 1), seconds, count / seconds


def fit(model, optimizer, train_loader, epochs: int, *, loss_fn: Optional[Callable] = None,
        scheduler=None, val_loader=None, early_stopping: Optional[int] = None,
        checkpoint_dir=None, checkpoint_extra: Optional[dict] = None, resume=None,
        progress: bool = True) -> History:
    """Train model for `epochs` epochs in all (a resumed run counts the epochs it already had).

    loss_fn defaults to CrossEntropyLoss. scheduler steps once per epoch
    (ReduceLROnPlateau with the validation loss, or the training loss without
    a val_loader). early_stopping=k stops after k epochs without a better
    validation loss. checkpoint_dir receives last.ckpt after every epoch
    (atomically), with checkpoint_extra (JSON-able) stored in it; resume
    (a checkpoint path) restores model, optimizer,
    schedule, history, epoch and random streams and carries on from there.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs: expected a positive int, got {epochs!r}")
    if early_stopping is not None and early_stopping < 1:
        raise ValueError(f"early_stopping: expected a positive patience, got {early_stopping!r}")
    if early_stopping is not None and val_loader is None:
        raise ValueError("early_stopping: watches the validation loss; pass a val_loader")
    loss_fn = loss_fn or CrossEntropyLoss()
    history, first_epoch = History(), 1
    if resume is not None:
        state = load_checkpoint(resume)
        restore_training_state(state, model, optimizer, scheduler, train_loader)
        history, first_epoch = state.history, state.epoch + 1
    best, stale = min(history.val_loss, default=float("inf")), 0

    for epoch in range(first_epoch, epochs + 1):
        if hasattr(train_loader, "set_epoch"):
            train_loader.set_epoch(epoch)  # shuffle order from (seed, epoch): resumable
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(train_loader), desc=f"epoch {epoch}/{epochs}", unit="batch",
                       leave=True, dynamic_ncols=True)
        lr = optimizer.param_groups[0]["lr"]
        train_loss, train_acc, seconds, rate = _train_epoch(model, train_loader, optimizer,
                                                            loss_fn, bar)
        val = evaluate(model, val_loader, loss_fn) if val_loader is not None else None
        if bar is not None:
            if val is not None:
                bar.set_postfix(loss=f"{train_loss:.4f}", acc=f"{train_acc:.3f}",
                                val_loss=f"{val.loss:.4f}", val_acc=f"{val.accuracy:.3f}",
                                img_s=f"{rate:.0f}")
            bar.close()
        history.append(train_loss=train_loss, train_accuracy=train_acc, lr=lr, seconds=seconds,
                       images_per_second=rate, val_loss=val and val.loss,
                       val_accuracy=val and val.accuracy)
        if scheduler is not None:
            if isinstance(scheduler, ReduceLROnPlateau):  # it watches a metric
                scheduler.step(val.loss if val is not None else train_loss)
            else:
                scheduler.step()
        if checkpoint_dir is not None:
            save_checkpoint(Path(checkpoint_dir) / "last.ckpt", model=model, optimizer=optimizer,
                            scheduler=scheduler, epoch=epoch, history=history,
                            loader=train_loader, extra=checkpoint_extra)
        if early_stopping is not None and val is not None:
            if val.loss < best:
                best, stale = val.loss, 0
            else:
                stale += 1
                if stale >= early_stopping:
                    break
    return history
