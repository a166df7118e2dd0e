"""convcore.data.transforms: image transforms on NumPy arrays, torchvision's
names and arguments.

ToTensor turns the uint8 images the data sets hold ([H, W, C], or a batch
[B, H, W, C]) into float32 [C, H, W] ([B, C, H, W]); every other transform
takes either one sample or a batch and is vectorised over the batch, which
is what lets the DataLoader transform a whole batch at once. Random
transforms draw from seeded NumPy generators (see _random.py for the rule).
"""
from ._basic import (
    CenterMean,
    Compose,
    Flatten,
    Normalize,
    PixelPermutation,
    ToTensor,
    is_batchable,
)
from ._random import RandomCrop, RandomHorizontalFlip, RandomTransform, batch_random_stream

__all__ = [
    "Compose",
    "ToTensor",
    "Normalize",
    "CenterMean",
    "PixelPermutation",
    "Flatten",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomTransform",
    "batch_random_stream",
    "is_batchable",
]
