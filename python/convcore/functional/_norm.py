"""Normalisation layers (cpp/src/ops/batch_norm.cpp, local_response_norm.cpp)."""
from __future__ import annotations

from .. import _C
from .._C import Tensor


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5, *, residual=None,
               relu: bool = False) -> Tensor:
    """Batch normalisation over the channel dim, as torch.nn.functional.batch_norm.

    input: [N, C], [N, C, L], [N, C, H, W] or [N, C, D, H, W] -> the same shape.
    running_mean, running_var: [C] Tensors or float32 arrays (updated in place
    when training), or both None; weight, bias: [C] or None.
    training=True normalises with the batch statistics (biased variance) and
    updates running = (1 - momentum) * running + momentum * batch, using the
    unbiased variance; training=False normalises with the running statistics.

    convcore's own epilogue, in the same pass over memory (what a residual
    block does after its last batch norm): ``residual`` (like input) is added,
    and ``relu=True`` applies max(0, .), so the result is
    relu(batch_norm(input) + residual); the gradient reaches residual too.
    """
    if momentum is None:
        raise TypeError("momentum: expected a float; the cumulative average of momentum=None "
                        "is not supported")
    if not isinstance(relu, bool):
        raise TypeError(f"relu: expected a bool, got {type(relu).__name__}")
    return _C.batch_norm(input, running_mean, running_var, weight, bias, bool(training),
                         float(momentum), float(eps), residual=residual, relu=relu)


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels, as torch.nn.functional.local_response_norm.

    input: [N, C, ...] (at least 3-D) -> the same shape;
    y = x / (k + alpha / size * sum of x^2 over channels c - size//2 .. c + (size-1)//2)^beta,
    the window clipped at the edges. AlexNet: size=5, alpha=1e-4, beta=0.75, k=2.
    """
    return _C.local_response_norm(input, int(size), float(alpha), float(beta), float(k))
