"""Process-wide settings: threads, instruction set, grad mode."""
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
