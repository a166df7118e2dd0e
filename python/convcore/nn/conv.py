"""Convolution layers, as torch.nn: Conv1d/2d/3d, ConvTranspose1d/2d/3d, and
ConnectionTableConv2d (LeNet-5's sparsely wired C3, not in torch).

Each layer holds weight (and bias) Parameters and its options; forward is one
call to the functional op. Default initialisation is torch's: weight
kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Besides torch's forms, padding may be per side, as the functional ops take
it: (left, right) in 1D, (left, right, top, bottom) in 2D, six ints in 3D.
What it leaves out: lazy layers, devices and dtypes other than CPU float32.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .. import functional as F
from . import init
from ._utils import check_bool, check_device_dtype, check_int, is_int, ntuple
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _conv_padding(padding, n: int):
    """'valid'/'same', n ints (symmetric) or 2n ints (per side), as the functional ops take."""
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(f"padding: expected 'valid', 'same', an int or a tuple of ints, "
                             f"got {padding!r}")
        return padding
    if not is_int(padding) and hasattr(padding, "__len__") and len(padding) == 2 * n and n > 0:
        return ntuple(padding, 2 * n, "padding")
    return ntuple(padding, n, "padding")


class _ConvNd(Module):
    """Shared constructor, initialisation and repr of the convolution layers."""

    _dims = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding,
                 dilation, output_padding, groups: int, bias: bool, padding_mode: str,
                 device=None, dtype=None):
        super().__init__()
        n = self._dims
        check_device_dtype(device, dtype)
        self.in_channels = check_int(in_channels, "in_channels", 1)
        self.out_channels = check_int(out_channels, "out_channels", 1)
        self.groups = check_int(groups, "groups", 1)
        if in_channels % groups:
            raise ValueError(f"groups: in_channels ({in_channels}) must be divisible by groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"groups: out_channels ({out_channels}) must be divisible by groups "
                             f"({groups})")
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", 1)
        self.stride = ntuple(stride, n, "stride", 1)
        self.dilation = ntuple(dilation, n, "dilation", 1)
        self.output_padding = ntuple(output_padding, n, "output_padding", 0)
        if self._transposed:
            self.padding = ntuple(padding, n, "padding", 0)
        else:
            self.padding = _conv_padding(padding, n)
            if self.padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding: 'same' is not supported for strided convolutions "
                                 f"(stride={self.stride})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode: expected one of {_PADDING_MODES}, got {padding_mode!r}")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f"padding_mode: only 'zeros' is supported for {type(self).__name__}, "
                             f"got {padding_mode!r}")
        self.padding_mode = padding_mode
        if self._transposed:
            for op, s, d in zip(self.output_padding, self.stride, self.dilation):
                if op >= s and op >= d:
                    raise ValueError(f"output_padding: must be smaller than stride or dilation, "
                                     f"got output_padding={self.output_padding}, "
                                     f"stride={self.stride}, dilation={self.dilation}")
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, np.float32))
        if check_bool(bias, "bias"):
            self.bias = Parameter(np.empty((out_channels,), np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_weight_and_bias_(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if isinstance(self.padding, str) or any(self.padding):
            s += f", padding={self.padding}"
        if any(d != 1 for d in self.dilation):
            s += f", dilation={self.dilation}"
        if any(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros'). input [N, C_in, L] -> [N, C_out, L_out];
    weight [C_out, C_in/groups, k]."""

    _dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups, self.padding_mode)


class Conv2d(_ConvNd):
    """Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros'). input [N, C_in, H, W] -> [N, C_out, OH, OW];
    weight [C_out, C_in/groups, kh, kw]."""

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups, self.padding_mode)


class Conv3d(_ConvNd):
    """Conv3d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros'). input [N, C_in, D, H, W] ->
    [N, C_out, OD, OH, OW]; weight [C_out, C_in/groups, kd, kh, kw]."""

    _dims = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        return F.conv3d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups, self.padding_mode)


class _ConvTransposeNd(_ConvNd):
    """Transposed convolution: weight [C_in, C_out/groups, *kernel]; forward(input,
    output_size=None) picks output_padding so the output has output_size."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size: Optional[Sequence[int]]):
        if output_size is None:
            return self.output_padding
        n = self._dims
        size = [int(v) for v in output_size]
        if len(size) > n:
            size = size[-n:]  # torch also takes [N, C, *spatial]
        if len(size) != n:
            raise ValueError(f"output_size: expected {n} ints (or {n + 2} with N and C), "
                             f"got {tuple(output_size)}")
        spatial = tuple(input.shape)[-n:]
        padding = []
        for i in range(n):
            smallest = ((spatial[i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not smallest <= size[i] < smallest + self.stride[i]:
                raise ValueError(f"output_size: {tuple(size)} is not reachable from input size "
                                 f"{spatial}; dim {i} must be in [{smallest}, "
                                 f"{smallest + self.stride[i] - 1}]")
            padding.append(size[i] - smallest)
        return tuple(padding)


class ConvTranspose1d(_ConvTransposeNd):
    """ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros').
    input [N, C_in, L] -> [N, C_out, (L-1)*stride - 2*padding + dilation*(k-1) + 1 + output_padding]."""

    _dims = 1

    def forward(self, input, output_size: Optional[Sequence[int]] = None):
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros'):
    "learnable upsampling". input [N, C_in, H, W] -> [N, C_out, OH, OW]."""

    _dims = 2

    def forward(self, input, output_size: Optional[Sequence[int]] = None):
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)


class ConvTranspose3d(_ConvTransposeNd):
    """ConvTranspose3d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros').
    input [N, C_in, D, H, W] -> [N, C_out, OD, OH, OW]."""

    _dims = 3

    def forward(self, input, output_size: Optional[Sequence[int]] = None):
        return F.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)


def lenet5_c3_table() -> np.ndarray:
    """LeNet-5's S2 -> C3 wiring (LeCun et al. 1998, Table I) as a (16, 6) boolean
    table, [k, c] true where C3 map k reads S2 map c: maps 0-5 read 3 neighbouring
    S2 maps, 6-11 read 4 neighbouring, 12-14 read 4 non-neighbouring, 15 reads all 6."""
    table = np.zeros((16, 6), dtype=bool)
    for k in range(6):
        table[k, [(k + i) % 6 for i in range(3)]] = True
        table[6 + k, [(k + i) % 6 for i in range(4)]] = True
    for k in range(3):
        table[12 + k, [(k + i) % 6 for i in (0, 1, 3, 4)]] = True
    table[15, :] = True
    return table


class ConnectionTableConv2d(Conv2d):
    """Conv2d in which output channel k reads input channel c only where
    connection_table[k, c] is true: LeNet-5's C3 is
    ConnectionTableConv2d(6, 16, 5, lenet5_c3_table()).

    connection_table: a boolean (or 0/1) array of shape (out_channels, in_channels).
    The weight keeps the dense shape [C_out, C_in, kh, kw]; unconnected kernels are
    zero after initialisation and always receive a zero gradient.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, connection_table,
                 stride=1, padding=0, dilation=1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        check_int(in_channels, "in_channels", 1)
        check_int(out_channels, "out_channels", 1)
        table = np.array(connection_table)
        if table.dtype != np.bool_ and (table.dtype.kind not in "iu" or not np.isin(table, (0, 1)).all()):
            raise TypeError("connection_table: expected a boolean or 0/1 integer array")
        if table.shape != (out_channels, in_channels):
            raise ValueError(f"connection_table: expected shape (out_channels, in_channels) = "
                             f"({out_channels}, {in_channels}), got {table.shape}")
        table = table.astype(bool)
        table.setflags(write=False)
        self.__dict__["connection_table"] = table  # before reset_parameters reads it
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 1,
                         bias, padding_mode, device, dtype)

    def reset_parameters(self) -> None:
        super().reset_parameters()
        np.asarray(self.weight)[~self.connection_table] = 0.0

    def forward(self, input):
        return F.conv2d_connection_table(input, self.weight, self.connection_table, self.bias,
                                         self.stride, self.padding, self.dilation, 1,
                                         self.padding_mode)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", connections={int(self.connection_table.sum())}"
