"""Process-wide settings: threads, instruction set, Winograd, grad mode."""
from __future__ import annotations

import contextlib
from typing import Iterator

from . import _C


def show_config() -> None:
    """Print the version, instruction sets compiled and in use, threads and CUDA."""
    print(_C.config_string(), end="")


def set_num_threads(n: int) -> None:
    """Use ``n`` OpenMP threads for convcore's parallel loops."""
    _C.set_num_threads(int(n))


def get_num_threads() -> int:
    return _C.get_num_threads()


def cached_memory() -> int:
    """Bytes of freed tensor memory convcore keeps for reuse.

    Tensors of 256 KiB and more keep their memory when freed, and a later
    tensor of the same rounded size (a multiple of 64 KiB, or of 2 MiB from
    4 MiB on) takes it again,
    already faulted in: a training loop's activations cost no fresh pages
    after the first step. See set_cache_limit and empty_cache.
    """
    return _C.cached_block_bytes()


def get_cache_limit() -> int:
    """The most bytes the cache of freed tensor memory may hold (default 1 GiB)."""
    return _C.block_cache_limit()


def set_cache_limit(nbytes: int) -> None:
    """Let the cache of freed tensor memory hold at most ``nbytes`` (0: no cache).

    Blocks beyond the new limit go back to the operating system at once.
    """
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0:
        raise ValueError(f"set_cache_limit: nbytes must be a non-negative int, got {nbytes!r}")
    _C.set_block_cache_limit(nbytes)


def empty_cache() -> None:
    """Return all cached freed tensor memory to the operating system."""
    _C.release_cached_blocks()


def compiled_isas() -> list[str]:
    """Instruction-set levels built into this installation, lowest first."""
    return _C.compiled_isas()


def get_isa() -> str:
    """The instruction-set level the kernels use now."""
    return _C.get_isa()


def set_isa(isa: str) -> None:
    """Force an instruction-set level ('scalar', 'avx2', 'avx512').

    The environment variable CONVCORE_ISA does the same at start-up. A level
    this CPU cannot run raises ValueError.
    """
    _C.set_isa(isa)


def winograd_enabled() -> bool:
    """Whether 3x3 stride-1 convolutions may use Winograd F(4x4, 3x3)."""
    return _C.winograd_enabled()


def set_winograd_enabled(enabled: bool) -> None:
    """Allow or forbid Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions.

    On by default: for layers with enough channels and positions it does a
    quarter of the multiplications of the direct product, at a rounding error
    some ten times larger (up to about 5e-6 of the sum of |x| * |w| behind
    each output, against 3e-7). Turned off, every convolution takes the
    exact GEMM or direct path.
    """
    _C.set_winograd_enabled(bool(enabled))


def is_grad_enabled() -> bool:
    return _C.grad_enabled()


@contextlib.contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    prev = _C.grad_enabled()
    _C.set_grad_enabled(enabled)
    try:
        yield
    finally:
        _C.set_grad_enabled(prev)


def no_grad():
    """Within the block, operations record nothing for autograd."""
    return _grad_mode(False)


def enable_grad():
    """Within the block, operations record for autograd again (inside no_grad)."""
    return _grad_mode(True)
