"""Weight initialisation, as torch.nn.init: fills a tensor in place and returns it.

Values are drawn from a NumPy Generator: the one given as generator=, else
convcore's (convcore._random.numpy_generator), which convcore.manual_seed
reseeds, so seeding and then building a model gives the same weights every
time. Draws are made in float64 and stored as float32. The tensor may be a
convcore Tensor or Parameter (written through its memory) or a float32 NumPy
array. What it leaves out: orthogonal_, sparse_, dirac_ and eye_.
"""
from __future__ import annotations

import math
import numbers
from typing import Optional, Tuple

import numpy as np

from .._C import Tensor
from .._random import numpy_generator
from .._runtime import no_grad

_LINEAR_GAIN_1 = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The recommended gain for a nonlinearity: 1 for linear layers and sigmoid,
    5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope**2)) for leaky_relu
    (param = negative slope, default 0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR_GAIN_1:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, (bool, np.bool_)):
            slope = float(param)
        else:
            raise ValueError(f"param: expected a number (the negative slope), got {param!r}")
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"nonlinearity: unsupported nonlinearity {nonlinearity!r}; expected one of "
                     f"{', '.join(_LINEAR_GAIN_1)}, tanh, relu, leaky_relu, selu")


def _calculate_fan_in_and_fan_out(tensor) -> Tuple[int, int]:
    """(fan_in, fan_out) of a weight [out, in, *kernel]: in * kernel size, out * kernel size."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"tensor: fan in and fan out need at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode: expected 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _target(tensor) -> np.ndarray:
    """A writable float32 view of the tensor's memory."""
    if isinstance(tensor, Tensor):
        return np.asarray(tensor)
    if isinstance(tensor, np.ndarray) and tensor.dtype == np.float32 and tensor.flags.writeable:
        return tensor
    raise TypeError(f"tensor: expected a convcore Tensor or a writable float32 NumPy array, "
                    f"got {type(tensor).__name__}")


def _generator(generator) -> np.random.Generator:
    if generator is None:
        return numpy_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator: expected a numpy.random.Generator or None, "
                        f"got {type(generator).__name__}")
    return generator


def _fill(tensor, values):
    with no_grad():
        target = _target(tensor)
        target[...] = values
    return tensor


def _draw_into(tensor, generator, draw, scale: float, shift: float):
    """target = draw(float32, into target) * scale + shift, in place: drawing float32 straight
    into the tensor's memory, with no float64 temporary, keeps building VGG-16 quick."""
    gen = _generator(generator)
    with no_grad():
        target = _target(tensor)
        out = target if target.flags.c_contiguous else np.empty(target.shape, np.float32)
        draw(gen, out)
        out *= np.float32(scale)
        out += np.float32(shift)
        if out is not target:
            target[...] = out
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Fill with draws from U(a, b)."""
    if not a <= b:
        raise ValueError(f"a, b: expected a <= b, got a={a}, b={b}")
    return _draw_into(tensor, generator, lambda g, out: g.random(out=out, dtype=np.float32),
                      b - a, a)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Fill with draws from N(mean, std**2) (the decks' 'Gaussian with std 0.1')."""
    if not std >= 0:
        raise ValueError(f"std: expected a non-negative number, got {std}")
    return _draw_into(tensor, generator,
                      lambda g, out: g.standard_normal(out=out, dtype=np.float32), std, mean)


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None):
    """Fill with N(mean, std**2) draws conditioned on [a, b] (redrawn until inside)."""
    if not std > 0:
        raise ValueError(f"std: expected a positive number, got {std}")
    if not a < b:
        raise ValueError(f"a, b: expected a < b, got a={a}, b={b}")
    gen = _generator(generator)
    values = gen.normal(mean, std, _target(tensor).shape)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = gen.normal(mean, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def constant_(tensor, val: float):
    """Fill with val."""
    return _fill(tensor, float(val))


def zeros_(tensor):
    return _fill(tensor, 0.0)


def ones_(tensor):
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std**2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None):
    """He et al. (2015): U(-bound, bound), bound = gain * sqrt(3 / fan), the gain of
    nonlinearity with negative slope a; fan = fan_in (mode='fan_in') or fan_out."""
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan) if fan > 0 else 0.0
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None):
    """He et al. (2015): N(0, std**2), std = gain / sqrt(fan); arguments as kaiming_uniform_."""
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan) if fan > 0 else 0.0
    return normal_(tensor, 0.0, std, generator)


# The names the lecture decks use.
glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "glorot_uniform_", "glorot_normal_", "he_uniform_", "he_normal_",
]


def default_weight_and_bias_(weight, bias=None):
    """torch's default for Linear and Conv layers: kaiming_uniform_(weight, a=sqrt(5)), which is
    uniform in +-1/sqrt(fan_in), and bias uniform in +-1/sqrt(fan_in)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)
