"""Adam and AdamW, as torch.optim.Adam / torch.optim.AdamW (same arguments,
defaults and state: 'step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq' with
amsgrad).

Per parameter with a gradient g (negated when ``maximize``), at step t:
L2 decay ``g += weight_decay * p`` (Adam) or decoupled decay
``p *= 1 - lr * weight_decay`` (AdamW, or Adam with
``decoupled_weight_decay=True``); ``m = lerp(m, g, 1 - beta1)``,
``v = beta2 * v + (1 - beta2) * g^2``, ``v_max = max(v_max, v)`` (amsgrad);
``p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``.
One fused C++ pass per parameter (convcore._C.adam_update_).
``foreach``/``fused``/``capturable`` are accepted and change nothing;
``differentiable`` and tensor-valued lr/betas are not supported.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

from .. import _C
from .._C import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None, decoupled_weight_decay: bool = False) -> None:
        name = type(self).__name__
        if differentiable:
            raise ValueError(f"{name}: differentiable=True is not supported by convcore")
        betas = _betas(betas, name)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        _check(defaults, name)
        super().__init__(params, defaults)

    def _check_group(self, group: Dict[str, Any]) -> None:
        _check(group, type(self).__name__)

    def _update(self, param: Tensor, grad: Tensor, group: Dict[str, Any],
                state: Dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        amsgrad = bool(group["amsgrad"])
        exp_avg = self._buffer(state, "exp_avg", param)
        exp_avg_sq = self._buffer(state, "exp_avg_sq", param)
        max_sq = self._buffer(state, "max_exp_avg_sq", param) if amsgrad else None
        step = int(state.get("step", 0)) + 1
        _C.adam_update_(param, grad, exp_avg, exp_avg_sq, max_sq, step, float(group["lr"]),
                        float(beta1), float(beta2), float(group["eps"]),
                        float(group["weight_decay"]), amsgrad, bool(group["maximize"]),
                        bool(group["decoupled_weight_decay"]))
        # Counted only once the update went through (it checks its options first).
        state["step"] = step


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2), as torch.optim.AdamW."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, capturable: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # AdamW always decouples, whatever was saved
            group["decoupled_weight_decay"] = True


def _betas(betas: Any, name: str) -> Tuple[float, float]:
    try:
        b1, b2 = betas
        return float(b1), float(b2)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: betas must be a pair of numbers, got {betas!r}") from e


def _check(group: Dict[str, Any], name: str) -> None:
    b1, b2 = _betas(group["betas"], name)
    _C.check_adam_options(float(group["lr"]), b1, b2, float(group["eps"]),
                          float(group["weight_decay"]), bool(group["decoupled_weight_decay"]))
