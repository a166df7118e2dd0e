"""The model zoo: each architecture of the decks as a function returning an nn.Module.

    model = convcore.models.resnet20(num_classes=10)
    model = convcore.models.create("small_cnn", in_channels=3, input_size=32)
    print(convcore.summary(convcore.models.caffenet()))

One file per family; every function registers itself, so list_models()
names them all and create(name, **options) builds one by name (the command
line and saved model files use that). Each model carries default_input_size
([C, H, W], no batch), which convcore.summary uses when given no size.
Families: small_cnn, lenet5; alexnet, caffenet, zfnet; vgg11, vgg11_lrn,
vgg13, vgg16_c, vgg16, vgg19; nin; googlenet; inception_v3; resnet18/34/50/
101/152, resnext50_32x4d and the CIFAR resnet20/32/44/56; mobilenet_v1,
mobilenet_v2; xception; densenet121. No pretrained weights are downloaded;
torchvision state dicts load into the models that share its names.
"""
from .registry import create, get, list_models, register
from .alexnet import alexnet, caffenet, zfnet
from .densenet import densenet121
from .googlenet import GoogLeNetOutputs, googlenet
from .inception import InceptionOutputs, inception_v3
from .lenet import lenet5
from .mobilenet import mobilenet_v1, mobilenet_v2
from .nin import nin
from .resnet import (resnet18, resnet20, resnet32, resnet34, resnet44, resnet50, resnet56,
                     resnet101, resnet152, resnext50_32x4d)
from .small_cnn import small_cnn
from .vgg import vgg11, vgg11_lrn, vgg13, vgg16, vgg16_c, vgg19
from .xception import xception

__all__ = ["create", "get", "list_models", "register", "small_cnn", "lenet5",
           "alexnet", "caffenet", "zfnet", "vgg11", "vgg11_lrn", "vgg13", "vgg16_c", "vgg16",
           "vgg19", "nin", "googlenet", "GoogLeNetOutputs", "inception_v3", "InceptionOutputs",
           "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
           "resnet20", "resnet32", "resnet44", "resnet56", "mobilenet_v1", "mobilenet_v2",
           "xception", "densenet121"]
