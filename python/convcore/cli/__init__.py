"""The `convcore` command: train, evaluate and summarise models of the zoo.

    convcore train                      # small CNN on scikit-learn's digits, no download
    convcore train --model resnet20 --dataset cifar10 --data-dir ../shared/data --epochs 30
    convcore evaluate --checkpoint runs/small_cnn-digits/model.safetensors
    convcore summary lenet5

--json prints one machine-readable object instead of text.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from .. import models
from . import commands, datasets


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convcore", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model of the zoo on a data set")
    t.add_argument("--model", default="small_cnn", help="a convcore.models function name "
                   f"({', '.join(models.list_models())})")
    t.add_argument("--dataset", default="digits",
                   help=f"{', '.join(datasets.NAMES)}, or a folder of class sub-folders")
    t.add_argument("--data-dir", help="where the data sets are (default $CONVCORE_DATA)")
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--lr", type=float)
    t.add_argument("--momentum", type=float)
    t.add_argument("--weight-decay", type=float, default=0.0)
    t.add_argument("--optimizer", default="sgd", choices=("sgd", "adam", "adamw", "rmsprop"))
    t.add_argument("--schedule", default="none", choices=("none", "cosine"))
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int)
    t.add_argument("--out", help="output folder (default runs/MODEL-DATASET)")
    t.add_argument("--resume", metavar="CKPT", help="carry on from a checkpoint (last.ckpt)")
    t.add_argument("--json", action="store_true", help="print the result as JSON")

    e = sub.add_parser("evaluate", help="test a saved model or checkpoint")
    e.add_argument("--checkpoint", required=True,
                   help="a model file (model.safetensors) or a training checkpoint (.ckpt)")
    e.add_argument("--dataset", help="default: the data set the model was trained on")
    e.add_argument("--data-dir")
    e.add_argument("--json", action="store_true")

    s = sub.add_parser("summary", help="print a model's layer table")
    s.add_argument("name", help="a convcore.models function name")
    s.add_argument("--input-size", type=int, nargs="+", metavar="N",
                   help="input shape without the batch, e.g. 3 224 224")
    s.add_argument("--options", help='the model\'s options as JSON, e.g. \'{"sparse_c3": true}\'')
    s.add_argument("--json", action="store_true")
    return parser


def _print_text(command: str, result: dict) -> None:
    if command == "train":
        print(f"test accuracy {result['test_accuracy']:.4f}  test loss {result['test_loss']:.4f}"
              f"  ({result['epochs']} epochs in {result['seconds']:.1f} s, "
              f"{result['images_per_second']:.0f} images/s, {result['threads']} threads)")
        print(f"model: {result['model_file']}  plot: {result['plot']}  "
              f"checkpoint: {result['checkpoint']}")
    elif command == "evaluate":
        print(f"{result['dataset']}: test accuracy {result['test_accuracy']:.4f}, "
              f"loss {result['test_loss']:.4f} over {result['images']} images")
        print("confusion matrix (rows: true class, columns: predicted):")
        width = max(len(c) for c in result["classes"])
        for name, row in zip(result["classes"], result["confusion"]):
            print(f"  {name:>{width}} " + " ".join(f"{v:5d}" for v in row))
    else:
        print(result["table"])


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    run = {"train": commands.train_command, "evaluate": commands.evaluate_command,
           "summary": commands.summary_command}[args.command]
    try:
        result = run(args)
    except (ValueError, FileNotFoundError, TypeError, ImportError) as e:
        print(f"convcore {args.command}: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(args.command, result)
    return 0
