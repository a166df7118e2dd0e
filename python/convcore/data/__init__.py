"""convcore.data: data sets, mini-batch loading and transforms, with
PyTorch's names (torch.utils.data, torchvision.datasets/transforms).

A data set gives ``ds[i] -> (float32 [C, H, W], int label)``; DataLoader
turns it into batches (convcore.Tensor [B, C, H, W], int64 [B]). Data sets
read from a root directory (None: default_data_dir(), which honours
$CONVCORE_DATA); MNIST, FashionMNIST and CIFAR10 can download their files.
"""
from . import transforms
from ._paths import default_cache_dir, default_data_dir
from .cifar import CIFAR10
from .dataset import ArrayDataset, Dataset, Subset, TensorDataset, random_split, train_val_split
from .digits import Digits
from .download import DownloadError, check_md5, download_url
from .folder import ImageFolder
from .idx import read_idx
from .loader import DataLoader, default_collate
from .mnist import MNIST, FashionMNIST

__all__ = [
    "transforms",
    "Dataset",
    "TensorDataset",
    "ArrayDataset",
    "Subset",
    "random_split",
    "train_val_split",
    "DataLoader",
    "default_collate",
    "MNIST",
    "FashionMNIST",
    "CIFAR10",
    "ImageFolder",
    "Digits",
    "read_idx",
    "download_url",
    "check_md5",
    "DownloadError",
    "default_data_dir",
    "default_cache_dir",
]
