"""convcore.models: the registry and the first models' shapes and parameter counts."""
import numpy as np
import pytest

import convcore
from convcore import models


def count(model):
    return sum(int(np.prod(p.shape)) for p in model.parameters())


def layer_counts(model):
    return [count(m) for m in model if count(m)]


def run_forward_backward(model, shape):
    x = convcore.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    out = model(x)
    convcore.functional.sum(out).backward()
    assert all(p.grad is not None for p in model.parameters())
    assert x.grad is not None and x.grad.shape == x.shape
    return out


def test_small_cnn_has_the_decks_parameter_table():
    # SPEC section 6: conv(5,32) 832, conv(5,64) 51,264, fc100 102,500, fc10 1,010 on MNIST
    mnist = models.small_cnn(in_channels=1, input_size=28)
    assert layer_counts(mnist) == [832, 51264, 102500, 1010]
    cifar = models.small_cnn(in_channels=3, input_size=32)
    assert layer_counts(cifar) == [2432, 51264, 160100, 1010]
    assert run_forward_backward(cifar, (2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="padding=2"):
        models.small_cnn(input_size=8)
    assert run_forward_backward(models.small_cnn(input_size=8, padding=2), (2, 1, 8, 8)).shape \
        == (2, 10)


def test_lenet5_counts_and_variants():
    model = models.lenet5()
    assert count(model) == 61706  # SPEC section 4 check-sum
    assert layer_counts(model) == [156, 2416, 48120, 10164, 850]
    assert run_forward_backward(model, (2, 1, 32, 32)).shape == (2, 10)
    sparse = models.lenet5(sparse_c3=True, input_size=28)
    c3 = sparse[3]
    assert int(np.count_nonzero(np.asarray(c3.weight))) + 16 == 1516
    out = run_forward_backward(sparse, (2, 1, 28, 28))
    assert out.shape == (2, 10)
    grad = np.asarray(c3.weight.grad)
    assert not grad[~c3.connection_table].any()  # unconnected kernels never learn
    relu = models.lenet5(activation="relu", pooling="max")
    assert isinstance(relu[1], convcore.nn.ReLU) and isinstance(relu[2], convcore.nn.MaxPool2d)
    with pytest.raises(ValueError, match="input_size"):
        models.lenet5(input_size=64)
    with pytest.raises(ValueError, match="activation"):
        models.lenet5(activation="gelu")


@pytest.mark.parametrize("name, params", [("resnet20", 269722), ("resnet32", 464154),
                                          ("resnet44", 658586), ("resnet56", 853018)])
def test_cifar_resnets_have_the_papers_sizes(name, params):
    model = models.create(name)
    assert count(model) == params  # He et al. 2016: 0.27M, 0.46M, 0.66M, 0.85M
    if name == "resnet20":
        out = run_forward_backward(model, (2, 3, 32, 32))
        assert out.shape == (2, 10)
        assert not any("downsample" in k for k in model.state_dict())  # option A: no weights


def test_registry_builds_by_name_and_records_the_architecture():
    assert {"small_cnn", "lenet5", "resnet20"} <= set(models.list_models())
    model = models.create("small_cnn", in_channels=3, input_size=32)
    assert model.architecture == {"name": "small_cnn",
                                  "arguments": {"in_channels": 3, "input_size": 32}}
    assert models.lenet5(10).architecture["arguments"] == {"num_classes": 10}
    with pytest.raises(ValueError, match="unknown name 'vgg99'"):
        models.create("vgg99")
    with pytest.raises(TypeError):
        models.create("small_cnn", no_such_option=1)
