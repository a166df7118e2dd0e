"""SGD: stochastic gradient descent with momentum, Nesterov momentum and
weight decay, as torch.optim.SGD (same arguments, defaults and state).

Per parameter with a gradient g (negated when ``maximize``):
``g += weight_decay * p``; with momentum ``b = g`` on the first step, then
``b = momentum * b + (1 - dampening) * g``, and ``g = g + momentum * b``
(Nesterov) or ``g = b``; finally ``p -= lr * g``. One fused C++ pass per
parameter (convcore._C.sgd_update_). ``foreach``/``fused`` are accepted for
torch compatibility and change nothing; ``differentiable`` is not supported.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .. import _C
from .._C import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        if differentiable:
            raise ValueError("SGD: differentiable=True is not supported by convcore")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        _check(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: Dict[str, Any]) -> None:
        _check(group)

    def _update(self, param: Tensor, grad: Tensor, group: Dict[str, Any],
                state: Dict[str, Any]) -> None:
        momentum = float(group["momentum"])
        buf, init = None, False
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # torch starts the buffer at the first gradient; the kernel writes it.
                buf = state["momentum_buffer"] = self._zeros_like(param)
                init = True
        _C.sgd_update_(param, grad, buf, float(group["lr"]), momentum,
                       float(group["dampening"]), float(group["weight_decay"]),
                       bool(group["nesterov"]), bool(group["maximize"]), init)


def _check(group: Dict[str, Any]) -> None:
    _C.check_sgd_options(float(group["lr"]), float(group["momentum"]), float(group["dampening"]),
                         float(group["weight_decay"]), bool(group["nesterov"]))
