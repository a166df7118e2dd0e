"""convcore.nn: layers and models, as torch.nn.

Module (parameters, buffers, train/eval, state dicts, hooks, repr), the
containers Sequential, ModuleList and ModuleDict, a layer object for every
convcore operation (PyTorch's names and signatures where torch has the
layer), losses, convcore.nn.init and convcore.nn.functional. Users subclass
Module, write forward, and autograd computes the gradients.
"""
from . import functional, init, utils
from .activation import (
    Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6, ScaledTanh, Sigmoid, Softmax, Tanh,
)
from .container import ModuleDict, ModuleList, Sequential
from .conv import (
    ConnectionTableConv2d, Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
    ConvTranspose3d, lenet5_c3_table,
)
from .dropout import Dropout, Dropout2d
from .linear import Flatten, Identity, Linear, Unflatten
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, RemovableHandle
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, LocalResponseNorm
from .parameter import Parameter
from .pooling import (
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
    AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, GlobalAvgPool2d,
    GlobalMaxPool2d, LPPool1d, LPPool2d, LPPool3d, MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d,
    MaxUnpool2d, MaxUnpool3d, Maxout, MixedPool2d, SpatialPyramidPool2d,
)

__all__ = [
    "functional", "init", "Parameter", "Module", "RemovableHandle",
    "Sequential", "ModuleList", "ModuleDict",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "ConnectionTableConv2d", "lenet5_c3_table",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "LPPool1d", "LPPool2d", "LPPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "SpatialPyramidPool2d", "MixedPool2d", "Maxout",
    "GlobalAvgPool2d", "GlobalMaxPool2d",
    "ReLU", "ReLU6", "Hardtanh", "LeakyReLU", "Sigmoid", "Tanh", "ScaledTanh", "Softmax", "LogSoftmax",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LocalResponseNorm",
    "Dropout", "Dropout2d", "Linear", "Identity", "Flatten", "Unflatten",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCEWithLogitsLoss",
]
