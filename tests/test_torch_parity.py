"""conv2d forward and autograd against torch 2.13.0 (skipped without torch)."""
import numpy as np
import pytest

import convcore as cc
import convcore.functional as F

CONFIGS = [
    dict(shape=(2, 6, 14, 14), K=16, kernel=5),
    dict(shape=(2, 3, 23, 23), K=8, kernel=7, stride=2, padding=3),
    dict(shape=(1, 8, 12, 12), K=8, kernel=3, padding=1, groups=8),
    dict(shape=(3, 8, 11, 9), K=12, kernel=3, stride=2, padding=(1, 2), dilation=(2, 1), groups=4),
    dict(shape=(2, 16, 7, 7), K=8, kernel=1),
    dict(shape=(2, 16, 8, 8), K=24, kernel=1, stride=2),
    dict(shape=(2, 4, 9, 10), K=5, kernel=(2, 4), padding="same"),
    dict(shape=(2, 4, 9, 10), K=5, kernel=3, padding=2, padding_mode="reflect"),
    dict(shape=(2, 4, 9, 10), K=5, kernel=3, padding=1, padding_mode="replicate"),
    dict(shape=(2, 4, 9, 10), K=5, kernel=3, padding=(2, 1), padding_mode="circular"),
]


# torch warns that it pads a copy for 'same' with an even kernel: expected here.
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("cfg", CONFIGS, ids=[str(i) for i in range(len(CONFIGS))])
def test_conv2d_against_torch(cfg, torch, rng):
    cfg = dict(cfg)
    shape, K, kernel = cfg.pop("shape"), cfg.pop("K"), cfg.pop("kernel")
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    groups = cfg.get("groups", 1)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((K, shape[1] // groups, kh, kw)).astype(np.float32)
    b = rng.standard_normal(K).astype(np.float32)

    xc, wc, bc = (cc.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xc, wc, bc, **cfg)
    conv = torch.nn.Conv2d(shape[1], K, (kh, kw), bias=True, **cfg)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(w))
        conv.bias.copy_(torch.from_numpy(b))
    xt = torch.from_numpy(x).requires_grad_()
    yt = conv(xt)
    np.testing.assert_allclose(np.asarray(y), yt.detach().numpy(), rtol=1e-4, atol=1e-4)

    dy = rng.standard_normal(yt.shape).astype(np.float32)
    y.backward(dy)
    yt.backward(torch.from_numpy(dy))
    for got, want in ((xc.grad, xt.grad), (wc.grad, conv.weight.grad), (bc.grad, conv.bias.grad)):
        np.testing.assert_allclose(np.asarray(got), want.numpy(), rtol=1e-4, atol=1e-3)
