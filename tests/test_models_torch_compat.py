"""Weight compatibility with PyTorch: a state dict exported by an equivalent torch
model (torchvision's parameter names, NumPy arrays, num_batches_tracked included)
loads into the convcore model and gives the same eval-mode outputs.

torchvision is not a dependency: each torch model is written here, with
torchvision's layout and names, and random weights and batch-norm statistics.
Inputs are small where the architecture allows (adaptive pooling heads).
"""
import numpy as np
import pytest

import convcore
from convcore import models

from zoo_helpers import one_thread  # noqa: F401 (a fixture)

torch = pytest.importorskip("torch")
tnn = torch.nn
pytestmark = pytest.mark.usefixtures("one_thread")


def conv_bn_relu(cin, cout, k, stride=1, groups=1, act=None):
    return tnn.Sequential(tnn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                          tnn.BatchNorm2d(cout), (act or tnn.ReLU)(inplace=True))


# ---------------------------------------------------------------- torch models

class TorchBasicBlock(tnn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, planes, 1, stride, bias=False),
                                             tnn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class TorchResNet18(tnn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (planes, stride) in enumerate([(64, 1), (128, 2), (256, 2), (512, 2)]):
            setattr(self, f"layer{i + 1}", tnn.Sequential(TorchBasicBlock(cin, planes, stride),
                                                          TorchBasicBlock(planes, planes, 1)))
            cin = planes
        self.avgpool = tnn.AdaptiveAvgPool2d(1)
        self.fc = tnn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TorchVGG16(tnn.Module):
    def __init__(self, num_classes, side, hidden):
        super().__init__()
        layers, cin = [], 3
        for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                  512, 512, 512, "M"]:
            if v == "M":
                layers.append(tnn.MaxPool2d(2, 2))
            else:
                layers += [tnn.Conv2d(cin, v, 3, padding=1), tnn.ReLU(inplace=True)]
                cin = v
        self.features = tnn.Sequential(*layers)
        self.avgpool = tnn.AdaptiveAvgPool2d(side)
        self.classifier = tnn.Sequential(
            tnn.Linear(512 * side * side, hidden), tnn.ReLU(True), tnn.Dropout(),
            tnn.Linear(hidden, hidden), tnn.ReLU(True), tnn.Dropout(),
            tnn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TorchAlexNet(tnn.Module):
    """style 'torchvision' (torchvision.models.alexnet) or 'paper' (96-256-384-384-256,
    LRN after conv1 and conv2, groups on conv2/4/5)."""

    def __init__(self, num_classes, style, groups=1):
        super().__init__()
        if style == "torchvision":
            self.features = tnn.Sequential(
                tnn.Conv2d(3, 64, 11, 4, 2), tnn.ReLU(True), tnn.MaxPool2d(3, 2),
                tnn.Conv2d(64, 192, 5, padding=2), tnn.ReLU(True), tnn.MaxPool2d(3, 2),
                tnn.Conv2d(192, 384, 3, padding=1), tnn.ReLU(True),
                tnn.Conv2d(384, 256, 3, padding=1), tnn.ReLU(True),
                tnn.Conv2d(256, 256, 3, padding=1), tnn.ReLU(True), tnn.MaxPool2d(3, 2))
        else:
            lrn = lambda: tnn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)  # noqa: E731
            self.features = tnn.Sequential(
                tnn.Conv2d(3, 96, 11, 4), tnn.ReLU(True), lrn(), tnn.MaxPool2d(3, 2),
                tnn.Conv2d(96, 256, 5, padding=2, groups=groups), tnn.ReLU(True), lrn(),
                tnn.MaxPool2d(3, 2),
                tnn.Conv2d(256, 384, 3, padding=1), tnn.ReLU(True),
                tnn.Conv2d(384, 384, 3, padding=1, groups=groups), tnn.ReLU(True),
                tnn.Conv2d(384, 256, 3, padding=1, groups=groups), tnn.ReLU(True),
                tnn.MaxPool2d(3, 2))
        self.avgpool = tnn.AdaptiveAvgPool2d(6)
        self.classifier = tnn.Sequential(
            tnn.Dropout(), tnn.Linear(256 * 36, 4096), tnn.ReLU(True), tnn.Dropout(),
            tnn.Linear(4096, 4096), tnn.ReLU(True), tnn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TorchMobileNetV1(tnn.Module):
    def __init__(self, num_classes):
        super().__init__()
        blocks = [conv_bn_relu(3, 32, 3, 2)]
        cin = 32
        for cout, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + \
                [(512, 1)] * 5 + [(1024, 2), (1024, 1)]:
            blocks.append(tnn.Sequential(*conv_bn_relu(cin, cin, 3, stride, groups=cin),
                                         *conv_bn_relu(cin, cout, 1)))
            cin = cout
        self.features = tnn.Sequential(*blocks)
        self.avgpool = tnn.AdaptiveAvgPool2d(1)
        self.classifier = tnn.Sequential(tnn.Dropout(0.001), tnn.Linear(1024, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TorchInvertedResidual(tnn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.use_res_connect = stride == 1 and cin == cout
        layers = [] if t == 1 else [conv_bn_relu(cin, hidden, 1, act=tnn.ReLU6)]
        layers += [conv_bn_relu(hidden, hidden, 3, stride, groups=hidden, act=tnn.ReLU6),
                   tnn.Conv2d(hidden, cout, 1, bias=False), tnn.BatchNorm2d(cout)]
        self.conv = tnn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class TorchMobileNetV2(tnn.Module):
    def __init__(self, num_classes):
        super().__init__()
        layers, cin = [conv_bn_relu(3, 32, 3, 2, act=tnn.ReLU6)], 32
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                           (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            for i in range(n):
                layers.append(TorchInvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(conv_bn_relu(cin, 1280, 1, act=tnn.ReLU6))
        self.features = tnn.Sequential(*layers)
        self.classifier = tnn.Sequential(tnn.Dropout(0.2), tnn.Linear(1280, num_classes))

    def forward(self, x):
        x = tnn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


class TorchDenseLayer(tnn.Module):
    def __init__(self, cin, growth, bn_size):
        super().__init__()
        self.norm1, self.relu1 = tnn.BatchNorm2d(cin), tnn.ReLU(True)
        self.conv1 = tnn.Conv2d(cin, bn_size * growth, 1, bias=False)
        self.norm2, self.relu2 = tnn.BatchNorm2d(bn_size * growth), tnn.ReLU(True)
        self.conv2 = tnn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, features):  # torchvision's: every layer sees all earlier maps
        x = torch.cat(features, 1)
        return self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))


class TorchDenseBlock(tnn.ModuleDict):
    def __init__(self, layers, cin, growth, bn_size):
        super().__init__()
        for i in range(layers):
            self.add_module(f"denselayer{i + 1}", TorchDenseLayer(cin + i * growth, growth,
                                                                  bn_size))

    def forward(self, x):
        features = [x]
        for layer in self.values():
            features.append(layer(features))
        return torch.cat(features, 1)


class TorchDenseNet121(tnn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = tnn.Sequential()
        f = self.features
        f.add_module("conv0", tnn.Conv2d(3, 64, 7, 2, 3, bias=False))
        f.add_module("norm0", tnn.BatchNorm2d(64))
        f.add_module("relu0", tnn.ReLU(True))
        f.add_module("pool0", tnn.MaxPool2d(3, 2, 1))
        c = 64
        for i, n in enumerate((6, 12, 24, 16)):
            f.add_module(f"denseblock{i + 1}", TorchDenseBlock(n, c, 32, 4))
            c += 32 * n
            if i < 3:
                t = tnn.Sequential()
                t.add_module("norm", tnn.BatchNorm2d(c))
                t.add_module("relu", tnn.ReLU(True))
                t.add_module("conv", tnn.Conv2d(c, c // 2, 1, bias=False))
                t.add_module("pool", tnn.AvgPool2d(2, 2))
                f.add_module(f"transition{i + 1}", t)
                c //= 2
        f.add_module("norm5", tnn.BatchNorm2d(c))
        self.classifier = tnn.Linear(c, num_classes)

    def forward(self, x):
        x = tnn.functional.adaptive_avg_pool2d(torch.relu(self.features(x)), 1)
        return self.classifier(torch.flatten(x, 1))


# ---------------------------------------------------------------- the check

def randomize_statistics(model, generator):
    for m in model.modules():
        if isinstance(m, tnn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5, generator=generator)
            m.running_var.uniform_(0.5, 1.5, generator=generator)
            m.weight.data.uniform_(0.5, 1.5, generator=generator)
            m.bias.data.uniform_(-0.5, 0.5, generator=generator)
            m.num_batches_tracked.fill_(7)


# torch model, convcore model, input side, input scale (AlexNet's: activations large
# enough that LRN is not a mere constant factor, so its place in the order matters)
CASES = {
    "resnet18": (lambda: TorchResNet18(10), lambda: models.resnet18(num_classes=10), 64),
    "vgg16": (lambda: TorchVGG16(10, 1, 256),
              lambda: models.vgg16(num_classes=10, input_size=32, hidden=256), 32),
    "alexnet-torchvision": (lambda: TorchAlexNet(10, "torchvision"),
                            lambda: models.alexnet(num_classes=10, style="torchvision"), 64),
    "alexnet-paper-groups": (lambda: TorchAlexNet(10, "paper", groups=2),
                             lambda: models.alexnet(num_classes=10, groups=2), 67, 100.0),
    "mobilenet_v1": (lambda: TorchMobileNetV1(10), lambda: models.mobilenet_v1(num_classes=10),
                     64),
    "mobilenet_v2": (lambda: TorchMobileNetV2(10), lambda: models.mobilenet_v2(num_classes=10),
                     64),
    "densenet121": (lambda: TorchDenseNet121(10), lambda: models.densenet121(num_classes=10),
                    32),
}


@pytest.mark.parametrize("case", list(CASES))
def test_torch_state_dict_loads_and_matches(case):
    build_torch, build_convcore, side, *scale = CASES[case]
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    reference = build_torch()
    randomize_statistics(reference, generator)
    reference.eval()
    state = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    model = build_convcore()
    assert list(model.state_dict()) == list(state)  # the same names, in the same order
    result = model.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    if "num_batches_tracked" in " ".join(state):
        key = next(k for k in state if k.endswith("num_batches_tracked"))
        assert int(np.asarray(model.state_dict()[key])) == 7
    x = np.random.default_rng(2).standard_normal((2, 3, side, side)).astype(np.float32)
    x *= scale[0] if scale else 1.0
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    model.eval()
    with convcore.no_grad():
        got = np.asarray(model(convcore.tensor(x)))
    size = float(np.abs(expected).max())
    assert size > 0
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * size)
