"""convcore.summary against the reference tables of SPEC section 6 (the decks' tables).

Each expected row is (label, params, ops, output volume) as SPEC section 6
and the decks print it (the decks' typo 89,915,390 corrected to 89,915,392
as SPEC says; ZFNet's conv labels in SPEC's conv(r, K, p, s) order).
"""
import pytest

import convcore
from convcore import models

from zoo_helpers import fast_init, one_thread  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("one_thread")


def rows(table):
    return [(r.label, r.params, r.ops, r.volume) for r in table.rows]


SMALL_MNIST = [
    ("input(28, 1)", 0, 0, "28x28x1"),
    ("conv(5, 32)", 832, 479_232, "24x24x32"),
    ("pool(2)", 0, 18_432, "12x12x32"),
    ("conv(5, 64)", 51_264, 3_280_896, "8x8x64"),
    ("pool(2)", 0, 4_096, "4x4x64"),
    ("fc(100)", 102_500, 102_500, "100"),
    ("fc(10)", 1_010, 1_010, "10"),
    ("softmax", 0, 10, "10"),  # SPEC section 4: softmax ops = classes
]
SMALL_CIFAR = [
    ("input(32, 3)", 0, 0, "32x32x3"),
    ("conv(5, 32)", 2_432, 1_906_688, "28x28x32"),
    ("pool(2)", 0, 25_088, "14x14x32"),
    ("conv(5, 64)", 51_264, 5_126_400, "10x10x64"),
    ("pool(2)", 0, 6_400, "5x5x64"),
    ("fc(100)", 160_100, 160_100, "100"),
    ("fc(10)", 1_010, 1_010, "10"),
    ("softmax", 0, 10, "10"),
]


@pytest.mark.parametrize("channels, size, expected", [(1, 28, SMALL_MNIST),
                                                      (3, 32, SMALL_CIFAR)])
def test_small_conv_net_table(channels, size, expected):
    table = convcore.summary(models.small_cnn(in_channels=channels, input_size=size))
    assert rows(table) == expected
    assert table.total_params == sum(r[1] for r in expected)
    assert table.total_ops == sum(r[2] for r in expected)
    # the decks' observations on this network
    notes = "\n".join(table.notes())
    assert "most parameters in fc(100)" in notes
    assert "most operations in conv(5, 64)" in notes
    assert "most memory in conv(5, 32)" in notes


def lenet_rows(c3_params):
    return [
        ("input(32, 1)", 0, 0, "32x32x1"),
        ("conv(5, 6)", 156, 122_304, "28x28x6"),
        ("avg(2)", 0, 4_704, "14x14x6"),
        ("conv(5, 16)", c3_params, c3_params * 100, "10x10x16"),
        ("avg(2)", 0, 1_600, "5x5x16"),
        ("conv(5, 120)", 48_120, 48_120, "1x1x120"),
        ("fc(84)", 10_164, 10_164, "84"),
        ("fc(10)", 850, 850, "10"),
        ("softmax", 0, 10, "10"),
    ]


def test_lenet5_tables_full_and_sparse():
    full = convcore.summary(models.lenet5())
    assert rows(full) == lenet_rows(2_416)
    assert full.total_params == 61_706  # SPEC section 4 check-sum
    sparse = convcore.summary(models.lenet5(sparse_c3=True))
    assert rows(sparse) == lenet_rows(1_516)  # only connected kernels count
    assert sparse.total_params == 61_706 - 900
    assert sparse.stored_params == 61_706 and sparse.masked_params == 900
    assert "900 weights of unconnected kernels" in str(sparse)


def caffenet_rows(conv2, conv4, conv5):
    return [
        ("input(227, 3)", 0, 0, "227x227x3"),
        ("conv(11, 96, s4)", 34_944, 105_705_600, "55x55x96"),
        ("pool(3, 2)", 0, 290_400, "27x27x96"),
        ("norm", 0, 69_984, "27x27x96"),
        conv2,
        ("pool(3, 2)", 0, 186_624, "13x13x256"),
        ("norm", 0, 43_264, "13x13x256"),
        ("conv(3, 384, p1)", 885_120, 149_585_280, "13x13x384"),
        conv4,
        conv5,
        ("pool(3, 2)", 0, 43_264, "6x6x256"),
        ("fc(4096)", 37_752_832, 37_752_832, "4,096"),
        ("fc(4096)", 16_781_312, 16_781_312, "4,096"),
        ("fc(1000)", 4_097_000, 4_097_000, "1,000"),
        ("softmax", 0, 1_000, "1,000"),
    ]


def test_caffenet_table_with_and_without_groups():
    with fast_init():
        plain, grouped = models.caffenet(), models.caffenet(groups=2)
    table = convcore.summary(plain)
    assert rows(table) == caffenet_rows(
        ("conv(5, 256, p2)", 614_656, 448_084_224, "27x27x256"),
        ("conv(3, 384, p1)", 1_327_488, 224_345_472, "13x13x384"),
        ("conv(3, 256, p1)", 884_992, 149_563_648, "13x13x256"))
    assert (table.total_params, table.total_ops) == (62_378_344, 1_136_549_904)
    table = convcore.summary(grouped)
    assert rows(table) == caffenet_rows(  # ops = params x output positions
        ("conv(5, 256, p2, g2)", 307_456, 307_456 * 27 * 27, "27x27x256"),
        ("conv(3, 384, p1, g2)", 663_936, 663_936 * 13 * 13, "13x13x384"),
        ("conv(3, 256, p1, g2)", 442_624, 442_624 * 13 * 13, "13x13x256"))


def test_zfnet_table():
    with fast_init():
        model = models.zfnet()
    expected = [
        (0, 0, "224x224x3"),
        (14_208, 171_916_800, "110x110x96"),
        (0, 1_161_600, "55x55x96"),
        (0, 290_400, "55x55x96"),
        (614_656, 415_507_456, "26x26x256"),
        (0, 173_056, "13x13x256"),
        (0, 43_264, "13x13x256"),
        (1_180_160, 199_447_040, "13x13x512"),
        (4_719_616, 797_615_104, "13x13x1024"),
        (4_719_104, 797_528_576, "13x13x512"),
        (0, 86_528, "6x6x512"),
        (75_501_568, 75_501_568, "4,096"),
        (16_781_312, 16_781_312, "4,096"),
        (4_097_000, 4_097_000, "1,000"),
        (0, 1_000, "1,000"),
    ]
    table = convcore.summary(model)
    assert [r[1:] for r in rows(table)] == expected
    assert table.rows[1].label == "conv(7, 96, p1, s2)" and table.rows[2].label == "pool(3, 2, p1)"
    assert table.total_params == 107_627_624


def test_vgg16_table():
    with fast_init():
        model = models.vgg16()
    conv = [(64, 1_792, 89_915_392, 224), (64, 36_928, 1_852_899_328, 224), "pool",
            (128, 73_856, 926_449_664, 112), (128, 147_584, 1_851_293_696, 112), "pool",
            (256, 295_168, 925_646_848, 56)] + [(256, 590_080, 1_850_490_880, 56)] * 2 + [
            "pool", (512, 1_180_160, 925_245_440, 28)] + \
        [(512, 2_359_808, 1_850_089_472, 28)] * 2 + ["pool"] + \
        [(512, 2_359_808, 462_522_368, 14)] * 3 + ["pool"]
    pools = iter([(3_211_264, "112x112x64"), (1_605_632, "56x56x128"), (802_816, "28x28x256"),
                  (401_408, "14x14x512"), (100_352, "7x7x512")])
    expected = [("input(224, 3)", 0, 0, "224x224x3")]
    for item in conv:
        if item == "pool":
            ops, volume = next(pools)
            expected.append(("pool(2)", 0, ops, volume))
        else:
            k, params, ops, side = item
            expected.append((f"conv(3, {k}, p1)", params, ops, f"{side}x{side}x{k}"))
    expected += [("fc(4096)", 102_764_544, 102_764_544, "4,096"),
                 ("fc(4096)", 16_781_312, 16_781_312, "4,096"),
                 ("fc(1000)", 4_097_000, 4_097_000, "1,000"), ("softmax", 0, 1_000, "1,000")]
    table = convcore.summary(model)
    assert rows(table) == expected
    assert table.total_params == 138_357_544
    notes = "\n".join(table.notes())
    assert "most parameters in fc(4096) (classifier.0)" in notes  # the first fc layer
    assert "most memory in conv(3, 64, p1) (features.0)" in notes  # early conv layers


def test_googlenet_table():
    with fast_init():
        model = models.googlenet()
    expected = [
        ("input(224, 3)", 0, 0, "224x224x3"),
        ("conv(7, 64, p3, s2)", 9_472, 118_816_768, "112x112x64"),
        ("pool(3, 2, p1)", 0, 802_816, "56x56x64"),
        ("conv(1, 64)", 4_160, 13_045_760, "56x56x64"),
        ("conv(3, 192, p1)", 110_784, 347_418_624, "56x56x192"),
        ("pool(3, 2, p1)", 0, 602_112, "28x28x192"),
        ("inc(64, (96, 128), (16, 32), 32)", 163_696, 128_488_192, "28x28x256"),
        ("inc(128, (128, 192), (32, 96), 64)", 388_736, 304_969_728, "28x28x480"),
        ("pool(3, 2, p1)", 0, 376_320, "14x14x480"),
        ("inc(192, (96, 208), (16, 48), 64)", 376_176, 73_824_576, "14x14x512"),
        ("inc(160, (112, 224), (24, 64), 64)", 449_160, 88_135_712, "14x14x512"),
        ("inc(128, (128, 256), (24, 64), 64)", 510_104, 100_080_736, "14x14x512"),
        ("inc(112, (144, 288), (32, 64), 64)", 605_376, 118_754_048, "14x14x528"),
        ("inc(256, (160, 320), (32, 128), 128)", 868_352, 170_300_480, "14x14x832"),
        ("pool(3, 2, p1)", 0, 163_072, "7x7x832"),
        ("inc(256, (160, 320), (32, 128), 128)", 1_043_456, 51_170_112, "7x7x832"),
        ("inc(384, (192, 384), (48, 128), 128)", 1_444_080, 70_800_688, "7x7x1024"),
        ("avg(7)", 0, 50_176, "1x1x1024"),
        ("fc(1000)", 1_025_000, 1_025_000, "1,000"),
        ("softmax", 0, 1_000, "1,000"),
    ]
    table = convcore.summary(model)
    assert rows(table) == expected
    assert (table.total_params, table.total_ops) == (6_998_552, 1_588_825_920)
    # the auxiliary classifiers hold parameters but do not run in evaluation
    assert table.not_run == ["aux1", "aux2"]
    assert table.stored_params > table.total_params
    assert model.training  # the summary restores the mode it found


def test_inception_row_follows_the_decks_rule():
    # params = the six convolutions; ops = params x H*W + H*W*C_in (the pool branch)
    from convcore.models.googlenet import Inception

    module = Inception(192, 64, 96, 128, 16, 32, 32)
    table = convcore.summary(module, (192, 28, 28), softmax=False)
    (row,) = table.rows[1:]
    params = sum(int(p.numel()) for p in module.parameters())
    assert row.params == params == 163_696
    assert row.ops == params * 28 * 28 + 28 * 28 * 192
