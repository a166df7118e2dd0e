"""convcore.train: fit, evaluate, checkpoints (atomic, exact resume), model files, plots."""
import json

import numpy as np
import pytest

import convcore
from convcore import data, models, nn, optim, train

pytest.importorskip("sklearn")


def digits_loaders(seed=0, batch_size=64):
    train_set, test_set = data.Digits(train=True), data.Digits(train=False)
    return (data.DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=seed),
            data.DataLoader(test_set, batch_size=256))


def digits_model():
    convcore.manual_seed(0)
    return models.small_cnn(in_channels=1, input_size=8, padding=2)


def test_a_short_run_on_digits_learns_them():
    loader, test_loader = digits_loaders()
    model = digits_model()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = train.fit(model, optimizer, loader, epochs=6, val_loader=test_loader,
                        progress=False)
    assert history.epochs == 6 and len(history.val_accuracy) == 6
    assert history.train_loss[-1] < history.train_loss[0] / 3
    result = train.evaluate(model, test_loader)
    assert result.accuracy >= 0.95  # the small CNN gets about 98% in these 6 epochs
    assert result.accuracy == pytest.approx(history.val_accuracy[-1])
    assert result.confusion.shape == (10, 10) and result.confusion.sum() == result.count
    assert np.trace(result.confusion) == round(result.accuracy * result.count)


def test_evaluate_matches_a_hand_computation():
    x = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    y = np.arange(50) % 3
    model = nn.Linear(4, 3)
    result = train.evaluate(model, data.DataLoader(data.TensorDataset(x, y), batch_size=16))
    with convcore.no_grad():
        logits = np.asarray(model(convcore.tensor(x))).astype(np.float64)
    logp = logits - logits.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    assert result.loss == pytest.approx(-logp[np.arange(50), y].mean(), rel=1e-5)
    predicted = logits.argmax(1)
    assert result.accuracy == pytest.approx((predicted == y).mean())
    expected = np.zeros((3, 3), np.int64)
    np.add.at(expected, (y, predicted), 1)
    np.testing.assert_array_equal(result.confusion, expected)


def run(tmp_path, epochs, resume=None, dropout=True):
    loader, _ = digits_loaders(seed=3)
    model = digits_model()
    if dropout:  # the random stream must resume too
        model = nn.Sequential(model[:-1], nn.Dropout(0.2), model[-1])
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    history = train.fit(model, optimizer, loader, epochs, scheduler=scheduler,
                        checkpoint_dir=tmp_path, resume=resume, progress=False)
    return model, optimizer, history


def test_resume_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path):
    whole, _, whole_history = run(tmp_path / "whole", epochs=3)
    run(tmp_path / "part", epochs=2)
    resumed, optimizer, history = run(tmp_path / "part", epochs=3,
                                      resume=tmp_path / "part" / "last.ckpt")
    for (name, a), (_, b) in zip(whole.state_dict().items(), resumed.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
    assert history.train_loss == whole_history.train_loss
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05 * 0.7 ** 3)


def test_a_damaged_or_foreign_checkpoint_is_refused(tmp_path):
    run(tmp_path, epochs=1, dropout=False)
    path = tmp_path / "last.ckpt"
    state = train.load_checkpoint(path)
    assert state.epoch == 1 and state.history.epochs == 1 and state.optimizer_state
    truncated = tmp_path / "truncated.ckpt"
    truncated.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated.ckpt"):
        train.load_checkpoint(truncated)
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError, match="garbage.ckpt"):
        train.load_checkpoint(garbage)
    model_file = train.save_model(nn.Linear(2, 2), tmp_path / "plain")
    with pytest.raises(ValueError, match="not a convcore checkpoint"):
        train.load_checkpoint(model_file)
    with pytest.raises(FileNotFoundError):
        train.load_checkpoint(tmp_path / "missing.ckpt")
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_model_files_round_trip_with_their_description(tmp_path):
    model = models.small_cnn(in_channels=1, input_size=8, padding=2)
    path = train.save_model(model, tmp_path / "digits", {"classes": list("0123456789")})
    assert path.name == "digits.safetensors" and (tmp_path / "digits.json").is_file()
    meta = json.loads((tmp_path / "digits.json").read_text())
    assert meta["architecture"] == {"name": "small_cnn", "arguments":
                                    {"in_channels": 1, "input_size": 8, "padding": 2}}
    loaded = train.load_model(tmp_path / "digits.safetensors")
    x = convcore.tensor(np.random.default_rng(1).standard_normal((2, 1, 8, 8)))
    model.eval()
    with convcore.no_grad():
        np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(loaded(x)))
    (tmp_path / "digits.safetensors").write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError, match="digits.safetensors"):
        train.load_model(tmp_path / "digits")


def test_history_plots_a_png(tmp_path):
    history = train.History()
    for epoch in range(3):
        history.append(train_loss=1.0 / (epoch + 1), train_accuracy=0.5 + 0.1 * epoch,
                       val_loss=1.2 / (epoch + 1), val_accuracy=0.4 + 0.1 * epoch)
    path = history.plot(tmp_path / "curves.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert train.History.from_dict(json.loads(json.dumps(history.to_dict()))) == history


def test_fit_rejects_bad_arguments():
    loader, _ = digits_loaders()
    model = digits_model()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs"):
        train.fit(model, optimizer, loader, 0)
    with pytest.raises(ValueError, match="early_stopping"):
        train.fit(model, optimizer, loader, 1, early_stopping=0)
    with pytest.raises(ValueError, match="val_loader"):
        train.fit(model, optimizer, loader, 1, early_stopping=2)


def test_early_stopping_stops_when_validation_loss_stops_improving():
    loader, test_loader = digits_loaders()
    model = digits_model()
    optimizer = optim.SGD(model.parameters(), lr=2.0)  # far too high: validation loss rises
    history = train.fit(model, optimizer, loader, epochs=20, val_loader=test_loader,
                        early_stopping=2, progress=False)
    best = int(np.argmin(history.val_loss))
    assert history.epochs == best + 3 < 20  # two epochs without improvement after the best
