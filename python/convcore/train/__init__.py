"""Training: the fit/evaluate loop, checkpoints, model files and the run's history.

    history = convcore.train.fit(model, optimizer, train_loader, epochs=10,
                                 val_loader=val_loader, checkpoint_dir="runs/x")
    result = convcore.train.evaluate(model, test_loader)   # loss, accuracy, confusion
"""
from .checkpoint import Checkpoint, load_checkpoint, restore_training_state, save_checkpoint
from .history import History
from .loop import Evaluation, evaluate, fit
from .model_file import load_model, load_weights, read_description, save_model

__all__ = [
    "fit", "evaluate", "Evaluation", "History",
    "save_checkpoint", "load_checkpoint", "restore_training_state", "Checkpoint",
    "save_model", "load_model", "load_weights", "read_description",
]
