"""The zoo's parameter totals against the published ones, counted by
convcore.summary (on a small input where the parameters do not depend on
it), and torchvision's state-dict names where torchvision has the model."""
import pytest

import convcore
from convcore import models

from zoo_helpers import count_params, fast_init, one_thread  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("one_thread")

# name, options, published parameter total; the summary's count is checked on a
# small input (the totals do not depend on it) for one model of each family and
# for the examples, the stored count for all (a forward of the biggest
# ones costs seconds on two cores).
PUBLISHED = [
    ("alexnet", {}, 62_378_344, (3, 67, 67)),             # = CaffeNet, SPEC section 6
    ("alexnet", {"groups": 2}, 60_965_224, None),         # the two-GPU network
    ("alexnet", {"style": "torchvision"}, 61_100_840, (3, 64, 64)),
    ("caffenet", {}, 62_378_344, None),
    ("zfnet", {}, 107_627_624, None),
    ("vgg11", {}, 132_863_336, (3, 32, 32)),
    ("vgg11_lrn", {}, 132_863_336, None),
    ("vgg13", {}, 133_047_848, None),
    ("vgg16", {}, 138_357_544, None),                     # test_summary.py: the full table
    ("vgg16", {"batch_norm": True}, 138_365_992, None),
    ("vgg19", {}, 143_667_240, None),
    ("resnet18", {}, 11_689_512, (3, 32, 32)),
    ("resnet34", {}, 21_797_672, None),
    ("resnet50", {}, 25_557_032, (3, 32, 32)),
    ("resnet101", {}, 44_549_160, None),
    ("resnet152", {}, 60_192_808, None),
    ("resnext50_32x4d", {}, 25_028_904, (3, 32, 32)),
    ("mobilenet_v1", {}, 4_231_976, (3, 32, 32)),
    ("mobilenet_v2", {}, 3_504_872, (3, 32, 32)),
    ("xception", {}, 22_855_952, (3, 71, 71)),
    ("densenet121", {}, 7_978_856, (3, 32, 32)),
    ("inception_v3", {"aux_logits": False}, 23_834_568, (3, 75, 75)),
    ("googlenet", {"aux_logits": False}, 6_998_552, None),  # test_summary.py: the table
    ("lenet5", {}, 61_706, (1, 32, 32)),
]


@pytest.mark.parametrize("name, options, published, size", PUBLISHED,
                         ids=[f"{p[0]}-{i}" for i, p in enumerate(PUBLISHED)])
def test_published_parameter_totals(name, options, published, size):
    with fast_init():
        model = models.create(name, **options)
    assert count_params(model) == published
    if size is not None:
        assert convcore.summary(model, size).total_params == published


def test_totals_with_auxiliary_heads_and_width_multipliers():
    with fast_init():
        inception = models.inception_v3()
        googlenet = models.googlenet()
        half = models.mobilenet_v1(width=0.5)
        vgg_c = models.vgg16_c()
    assert count_params(inception) == 27_161_264  # torchvision's, with AuxLogits
    # GoogLeNet's auxiliary heads: avg(5, 3), conv(1, 128), fc 1024, fc 1000, twice
    aux = lambda c: (c * 128 + 128) + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)  # noqa: E731
    assert count_params(googlenet) == 6_998_552 + aux(512) + aux(528)
    assert count_params(half) == 1_331_592  # MobileNet 0.5 (Howard et al. 2017: 1.3M)
    # VGG configuration C: B plus 1x1 convs 256, 512, 512 (the paper's "134M")
    assert count_params(vgg_c) == 133_047_848 + (256 * 256 + 256) + 2 * (512 * 512 + 512)
    table = convcore.summary(vgg_c, (3, 32, 32))
    assert [r.label for r in table.rows if r.label.startswith("conv(1,")] == \
        ["conv(1, 256)", "conv(1, 512)", "conv(1, 512)"]


def test_torchvision_state_dict_names():
    with fast_init():
        resnet, vgg = models.resnet50(), models.vgg16(batch_norm=True)
        alexnet = models.alexnet(style="torchvision")
        densenet, mobilenet = models.densenet121(), models.mobilenet_v2()
        inception = models.inception_v3()
    keys = set(resnet.state_dict())
    assert {"conv1.weight", "bn1.num_batches_tracked", "layer1.0.conv3.weight",
            "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var",
            "layer4.2.bn3.bias", "fc.weight", "fc.bias"} <= keys
    assert len(keys) == 320  # torchvision's resnet50 state dict has 320 entries
    assert {"features.0.weight", "features.1.running_mean", "features.40.weight",
            "classifier.0.weight", "classifier.3.weight", "classifier.6.bias"} <= \
        set(vgg.state_dict())
    assert [k for k in alexnet.state_dict() if k.endswith("weight")] == \
        [f"features.{i}.weight" for i in (0, 3, 6, 8, 10)] + \
        [f"classifier.{i}.weight" for i in (1, 4, 6)]
    assert {"features.conv0.weight", "features.denseblock4.denselayer16.conv2.weight",
            "features.transition3.norm.running_mean", "features.norm5.bias",
            "classifier.weight"} <= set(densenet.state_dict())
    assert {"features.0.0.weight", "features.1.conv.0.0.weight", "features.1.conv.1.weight",
            "features.2.conv.3.running_var", "features.18.1.bias", "classifier.1.weight"} <= \
        set(mobilenet.state_dict())
    assert {"Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch5x5_2.bn.running_mean",
            "Mixed_6e.branch7x7dbl_5.conv.weight", "Mixed_7c.branch3x3dbl_3b.bn.weight",
            "AuxLogits.conv1.conv.weight", "AuxLogits.fc.bias", "fc.weight"} <= \
        set(inception.state_dict())


@pytest.mark.parametrize("name, options, match", [
    ("alexnet", {"groups": 3}, "groups"),
    ("alexnet", {"style": "caffe"}, "style"),
    ("alexnet", {"style": "torchvision", "groups": 2}, "style"),
    ("vgg16", {"input_size": 16}, "input_size"),
    ("vgg11", {"width": 0}, "width"),
    ("vgg13", {"dropout": 1.5}, "dropout"),
    ("mobilenet_v1", {"width": -1.0}, "width"),
    ("resnet18", {"num_classes": 0}, "num_classes"),
    ("googlenet", {"input_size": 32}, "input_size"),
    ("nin", {"variant": "mnist"}, "variant"),
    ("densenet121", {"growth_rate": 0}, "growth_rate"),
    ("xception", {"in_channels": "3"}, "in_channels"),
])
def test_bad_options_raise_naming_the_option(name, options, match):
    with pytest.raises(ValueError, match=match):
        models.create(name, **options)


def test_every_model_is_registered_with_a_default_input_size():
    expected = {"alexnet", "caffenet", "zfnet", "vgg11", "vgg11_lrn", "vgg13", "vgg16",
                "vgg16_c", "vgg19", "nin", "googlenet", "inception_v3", "resnet18", "resnet34",
                "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnet20", "resnet32",
                "resnet44", "resnet56", "mobilenet_v1", "mobilenet_v2", "xception",
                "densenet121", "lenet5", "small_cnn"}
    assert set(models.list_models()) == expected
    with fast_init():
        sizes = {name: models.create(name).default_input_size
                 for name in ("caffenet", "zfnet", "inception_v3", "xception", "resnet56")}
    assert sizes == {"caffenet": (3, 227, 227), "zfnet": (3, 224, 224),
                     "inception_v3": (3, 299, 299), "xception": (3, 299, 299),
                     "resnet56": (3, 32, 32)}
    assert models.nin(variant="cifar", in_channels=1).default_input_size == (1, 32, 32)
