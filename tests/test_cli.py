"""The convcore command line: train, evaluate and summary, as a user runs them."""
import json

import pytest

from convcore.cli import main

pytest.importorskip("sklearn")


def test_train_then_evaluate_on_digits(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "6", "--out", str(out), "--json", "--threads", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "small_cnn" and result["dataset"] == "digits"
    assert result["epochs"] == 6 and result["test_accuracy"] > 0.9
    assert result["val_accuracy"] > 0.85  # a tenth of the training set, held out
    for name in ("model.safetensors", "model.json", "curves.png", "last.ckpt", "history.json"):
        assert (out / name).is_file(), name

    assert main(["evaluate", "--checkpoint", str(out / "model.safetensors"), "--json"]) == 0
    evaluation = json.loads(capsys.readouterr().out)
    assert evaluation["test_accuracy"] == pytest.approx(result["test_accuracy"])
    assert sum(map(sum, evaluation["confusion"])) == evaluation["images"]

    assert main(["evaluate", "--checkpoint", str(out / "last.ckpt")]) == 0
    assert "confusion matrix" in capsys.readouterr().out


def test_bad_names_give_a_clear_error(capsys):
    assert main(["train", "--dataset", "no-such-set", "--epochs", "1"]) == 2
    assert "--dataset" in capsys.readouterr().err
    assert main(["train", "--model", "no_such_model", "--epochs", "1"]) == 2
    assert "no_such_model" in capsys.readouterr().err
