"""convcore.optim: optimizers, learning-rate schedules and gradient clipping,
with torch.optim's names, arguments, defaults and state_dict layout.

The update of each parameter is one fused C++ pass (convcore/ops/optim.h);
this package keeps the parameter groups, the state and the schedules.
"""
from . import lr_scheduler
from .adam import Adam, AdamW
from .clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "lr_scheduler",
    "clip_grad_norm_",
    "clip_grad_value_",
    "get_total_norm",
]
