"""Parameter: a Tensor that a Module registers as learnable.

A Python subclass of convcore.Tensor: every op takes it as a Tensor, and
Module.__setattr__ recognises it by type. What it leaves out: torch's
UninitializedParameter (lazy modules) and Buffer.
"""
from __future__ import annotations

import numpy as np

from .._C import Tensor


class Parameter(Tensor):
    """Parameter(data=None, requires_grad=True), as torch.nn.Parameter.

    data: a Tensor (the parameter aliases its memory, as torch's does) or
    anything convcore.tensor accepts (copied to float32); None gives an
    empty parameter of shape (0,).
    """

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = np.empty((0,), np.float32)
        super().__init__(data, bool(requires_grad))

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        # pickle and copy.deepcopy: the values and the flag (a parameter is a leaf;
        # its .grad is not carried, as torch's deepcopy of a Parameter).
        return (_rebuild_parameter, (np.array(self, copy=True), self.requires_grad))


def _rebuild_parameter(values: np.ndarray, requires_grad: bool) -> Parameter:
    # astype: an unpickled array carries an equal but distinct float32 dtype
    # object, which the compiled module does not accept as float32.
    return Parameter(values.astype(np.float32), requires_grad)
