"""convcore: fast convolutional networks on a C++17 core.

The heavy work runs in the compiled module ``convcore._C``: SIMD kernels
chosen at run time for the CPU at hand, OpenMP threads, and a define-by-run
autograd engine. This package gives it a PyTorch-like face.
"""
from . import _C
from ._C import Tensor, from_numpy, ones, tensor, zeros
from ._runtime import (
    cached_memory,
    compiled_isas,
    empty_cache,
    get_cache_limit,
    get_isa,
    get_num_threads,
    no_grad,
    enable_grad,
    is_grad_enabled,
    set_cache_limit,
    set_isa,
    set_num_threads,
    set_winograd_enabled,
    show_config,
    winograd_enabled,
)
from ._random import initial_seed, manual_seed
from . import functional
from . import nn
from . import data
from . import signal
from . import optim
from . import models, train, tune
from .functional import exp, flatten, log, matmul, mean, permute, relu, reshape, transpose
from .functional import sigmoid, tanh
from .summary import summary  # the function; its parts: from convcore.summary import Summary

__version__ = _C.version()

__all__ = [
    "Tensor",
    "tensor",
    "from_numpy",
    "zeros",
    "ones",
    "functional",
    "nn",
    "data",
    "models",
    "train",
    "tune",
    "signal",
    "optim",
    "matmul",
    "reshape",
    "flatten",
    "transpose",
    "permute",
    "mean",
    "exp",
    "log",
    "relu",
    "sigmoid",
    "tanh",
    "manual_seed",
    "initial_seed",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "show_config",
    "set_num_threads",
    "get_num_threads",
    "set_isa",
    "get_isa",
    "compiled_isas",
    "winograd_enabled",
    "set_winograd_enabled",
    "cached_memory",
    "get_cache_limit",
    "set_cache_limit",
    "empty_cache",
    "summary",
]
