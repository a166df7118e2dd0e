"""convcore.summary: the per-layer counting rules, the worked examples of SPEC
sections 4 and 7 (items 8-9), the Summary object and its errors."""
import json

import numpy as np
import pytest

import convcore
from convcore import models, nn
from convcore.summary import count_layer

from zoo_helpers import fast_init, one_thread  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("one_thread")


def only_row(module, size):
    table = convcore.summary(module, size, softmax=False)
    assert len(table.rows) == 2  # the input row and the layer
    return table.rows[1]


def test_parameter_exercises_of_section_7():
    # 10 filters of 3x3x3: 10 * (27 + 1) = 280 parameters
    assert only_row(nn.Conv2d(3, 10, 3), (3, 8, 8)).params == 280
    # a 1-megapixel colour image fully connected to 20 hidden units: 60 million weights
    with fast_init():
        fc = nn.Linear(3 * 1000 * 1000, 20)
    count = count_layer(fc, (3_000_000,), (20,))
    assert count.params - 20 == 60_000_000 and count.ops == count.params


def test_inception_bottleneck_of_section_7():
    # 28x28x192 -> 1x1 conv to 16: 3,072 weights + 16 biases
    assert only_row(nn.Conv2d(192, 16, 1), (192, 28, 28)).params == 3_072 + 16
    # a 5x5 conv to 48 on 28x28x190 costs 178,752,000 multiplies (no bias: ops = multiplies)
    naive = only_row(nn.Conv2d(190, 48, 5, padding=2, bias=False), (190, 28, 28))
    assert naive.ops == 178_752_000
    table = convcore.summary(nn.Sequential(nn.Conv2d(190, 16, 1, bias=False), nn.ReLU(),
                                           nn.Conv2d(16, 48, 5, padding=2, bias=False)),
                             (190, 28, 28), softmax=False)
    assert [r.ops for r in table.rows[1:]] == [2_383_360, 15_052_800]
    assert table.total_ops == 17_436_160


def test_depthwise_separable_check_sum_of_section_4():
    # 6x6x3 -> 4x4x5 with 3x3 kernels: 432 + 240 = 672 multiplies, against 2,160
    separable = convcore.summary(nn.Sequential(nn.Conv2d(3, 3, 3, groups=3, bias=False),
                                               nn.Conv2d(3, 5, 1, bias=False)), (3, 6, 6),
                                 softmax=False)
    assert [r.ops for r in separable.rows[1:]] == [432, 240]
    assert [r.label for r in separable.rows[1:]] == ["conv(3, 3, dw)", "conv(1, 5)"]
    normal = only_row(nn.Conv2d(3, 5, 3, bias=False), (3, 6, 6))
    assert normal.ops == 2_160
    assert separable.total_ops / normal.ops == pytest.approx(1 / 5 + 1 / 9)  # 1/K + 1/r^2


def test_layer_rules():
    row = only_row(nn.Conv2d(4, 8, (1, 7), padding=(0, 3), dilation=2, groups=2), (4, 9, 9))
    assert row.label == "conv(1x7, 8, p0x3, d2, g2)"
    assert row.params == (7 * 2 + 1) * 8 and row.ops == row.params * 9 * 3
    assert only_row(nn.Conv2d(2, 2, 3, padding="same"), (2, 5, 5)).label == "conv(3, 2, p=same)"
    # transposed conv: every input position scatters the whole kernel, bias per output
    row = only_row(nn.ConvTranspose2d(4, 2, 3, stride=2), (4, 5, 5))
    assert row.params == 4 * 2 * 9 + 2 and row.output_shape == (2, 11, 11)
    assert row.ops == 4 * 2 * 9 * 25 + 2 * 121
    # fully connected on extra leading dims: params x positions
    row = only_row(nn.Linear(6, 4), (3, 6))
    assert (row.params, row.ops) == (28, 28 * 3)
    # batch norm: 2C parameters, one multiply-add per value; LRN and pooling: input volume
    row = only_row(nn.BatchNorm2d(5), (5, 4, 4))
    assert (row.label, row.params, row.ops) == ("bn", 10, 80)
    assert only_row(nn.LocalResponseNorm(5), (6, 4, 4)).ops == 96
    row = only_row(nn.AvgPool2d(5, 3, padding=2), (2, 14, 14))
    assert (row.label, row.ops) == ("avg(5, 3, p2)", 392)
    assert only_row(nn.MaxPool2d(2, ceil_mode=True), (1, 7, 7)).label == "pool(2, ceil)"
    row = only_row(nn.AdaptiveAvgPool2d(1), (8, 7, 7))
    assert (row.label, row.ops, row.output_shape) == ("avg(7)", 392, (8, 1, 1))
    assert only_row(nn.AdaptiveAvgPool2d(3), (1, 7, 7)).label == "avg(to 3x3)"


def test_free_layers_are_hidden_but_listed():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Dropout(0.5), nn.AdaptiveAvgPool2d(4),
                          nn.Flatten(), nn.Linear(32, 3))
    table = convcore.summary(model, (1, 6, 6))
    assert [r.label for r in table.rows] == ["input(6, 1)", "conv(3, 2)", "fc(3)", "softmax"]
    hidden = [r for r in table.all_rows if r.hidden]
    assert [r.label for r in hidden] == ["relu", "dropout(0.5)", "avg(identity)", "flatten"]
    assert all(r.ops == 0 and r.params == 0 for r in hidden)
    assert table.total_ops == 20 * 16 + 99 + 3


def test_shared_module_counts_its_parameters_once():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 2, 3, padding=1)

        def forward(self, x):
            return self.conv(self.conv(x))

    table = convcore.summary(Twice(), (2, 4, 4), softmax=False)
    assert [(r.name, r.params, r.ops) for r in table.rows[1:]] == [("conv", 38, 38 * 16),
                                                                   ("conv", 0, 38 * 16)]
    assert table.total_params == table.stored_params == 38


def test_unknown_layer_counts_parameters_and_is_reported():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(np.ones(3, np.float32))

        def forward(self, x):
            return x * self.weight

    table = convcore.summary(Scale(), (2, 3), softmax=False)
    assert (table.rows[1].params, table.rows[1].ops, table.rows[1].counted) == (3, 0, False)
    assert table.uncounted_types == ["Scale"]
    assert "no counting rule for Scale" in str(table)


def test_model_ending_in_softmax_gets_no_second_softmax_row():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Softmax(dim=1))
    table = convcore.summary(model, (4,))
    assert [(r.label, r.ops) for r in table.rows[1:]] == [("fc(3)", 15), ("softmax", 3)]
    assert [r.label for r in convcore.summary(model, (4,), softmax=False).rows] == \
        ["input(4)", "fc(3)", "softmax"]


def test_summary_object_text_dict_and_memory():
    table = convcore.summary(models.small_cnn())
    text = str(table)
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "type", "output", "params", "ops", "memory"]
    assert any(line.split()[:2] == ["0", "conv(5,"] and "479,232" in line for line in lines)
    total = next(line for line in lines if line.startswith("total"))
    assert "155,606" in total and "3,886,176" in total
    # memory: output values x 4 bytes; the decks' "most memory in the first conv layer"
    conv1 = table.rows[1]
    assert conv1.memory == 24 * 24 * 32 and "72.0 KB" in text
    assert table.total_memory == sum(r.memory for r in table.rows)
    assert table.total_memory_bytes == 4 * table.total_memory
    data = json.loads(json.dumps(table.to_dict()))
    assert data["total_params"] == 155_606 and data["rows"][1]["label"] == "conv(5, 32)"
    assert "total_params=155,606" in repr(table)


def test_cifar_resnet_summary_counts_every_parameter():
    table = convcore.summary(models.resnet20())
    assert table.total_params == table.stored_params == 269_722
    assert table.uncounted_types == []  # the zero-padding shortcut states its own rule
    assert table.input_size == (3, 32, 32)


def test_input_size_defaults_and_errors():
    assert models.lenet5().default_input_size == (1, 32, 32)
    assert models.small_cnn(in_channels=3, input_size=32).default_input_size == (3, 32, 32)
    plain = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="input_size"):
        convcore.summary(plain)
    with pytest.raises(ValueError, match="input_size"):
        convcore.summary(plain, (0, 2))
    with pytest.raises(TypeError, match="input_size"):
        convcore.summary(plain, 2.5)
    with pytest.raises(TypeError, match="model"):
        convcore.summary("resnet20", (3, 32, 32))


def test_hooks_and_modes_are_restored_even_when_forward_fails():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Dropout(0.5), nn.Linear(5, 2))
    model.train()
    with pytest.raises(Exception):
        convcore.summary(model, (1, 6, 6))  # Linear(5) cannot take the 4x4 maps
    assert model.training and all(m.training for m in model.modules())
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    model[1].eval()
    convcore.summary(nn.Sequential(model[0]), (1, 6, 6))
    assert model.training and not model[1].training


def test_command_line_summary_prints_the_table():
    # `convcore summary NAME`; skipped until the command line's own modules are merged
    commands = pytest.importorskip("convcore.cli.commands")
    import argparse

    result = commands.summary_command(argparse.Namespace(
        name="lenet5", options='{"sparse_c3": true}', input_size=None, json=False))
    assert result["parameters"] == 60_806 and result["operations"] == 339_352
    assert "conv(5, 16)" in result["table"] and "1,516" in result["table"]
