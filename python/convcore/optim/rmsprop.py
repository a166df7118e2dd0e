"""RMSprop, as torch.optim.RMSprop (same arguments, defaults and state:
'step', 'square_avg', 'momentum_buffer' with momentum, 'grad_avg' when
centered).

Per parameter with a gradient g (negated when ``maximize``):
``g += weight_decay * p``; ``s = alpha * s + (1 - alpha) * g^2``; the
denominator ``r = sqrt(s) + eps``, or, centered, ``a = lerp(a, g, 1 - alpha)``
and ``r = sqrt(s - a^2) + eps``; with momentum ``b = momentum * b + g / r``,
``p -= lr * b``, else ``p -= lr * g / r``. One fused C++ pass per parameter
(convcore._C.rmsprop_update_). ``capturable``/``foreach`` are accepted and
change nothing; ``differentiable`` is not supported.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .. import _C
from .._C import Tensor
from .optimizer import Optimizer


class RMSprop(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if differentiable:
            raise ValueError("RMSprop: differentiable=True is not supported by convcore")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        _check(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: Dict[str, Any]) -> None:
        _check(group)

    def _update(self, param: Tensor, grad: Tensor, group: Dict[str, Any],
                state: Dict[str, Any]) -> None:
        momentum = float(group["momentum"])
        centered = bool(group["centered"])
        square_avg = self._buffer(state, "square_avg", param)
        buf = self._buffer(state, "momentum_buffer", param) if momentum > 0 else None
        grad_avg = self._buffer(state, "grad_avg", param) if centered else None
        _C.rmsprop_update_(param, grad, square_avg, grad_avg, buf, float(group["lr"]),
                           float(group["alpha"]), float(group["eps"]),
                           float(group["weight_decay"]), momentum, centered,
                           bool(group["maximize"]))
        state["step"] = int(state.get("step", 0)) + 1


def _check(group: Dict[str, Any]) -> None:
    _C.check_rmsprop_options(float(group["lr"]), float(group["alpha"]), float(group["eps"]),
                             float(group["weight_decay"]), float(group["momentum"]))
