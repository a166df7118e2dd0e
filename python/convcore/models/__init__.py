"""The model zoo: each architecture of the decks as a function returning an nn.Module.

    model = convcore.models.resnet20(num_classes=10)
    model = convcore.models.create("small_cnn", in_channels=3, input_size=32)

One file per family; every function registers itself, so list_models()
names them all and create(name, **options) builds one by name (the command
line and saved model files use that).
"""
from .registry import create, get, list_models, register
from .lenet import lenet5
from .resnet import resnet20, resnet32, resnet44, resnet56
from .small_cnn import small_cnn

__all__ = ["create", "get", "list_models", "register", "small_cnn", "lenet5",
           "resnet20", "resnet32", "resnet44", "resnet56"]
