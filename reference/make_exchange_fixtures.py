"""Weights written by PyTorch for Feynman to load (run with /usr/bin/python3).

Each model below is an nn.Sequential given non-trivial state (a few training steps, so batch-norm running
statistics have moved), then written with safetensors_io (Debian's python3-torch has no safetensors package):
  fixtures/exchange/<name>.safetensors     the state dict, PyTorch's keys (num_batches_tracked stays I64)
  fixtures/exchange/<name>_io.safetensors  "x", an input batch, and "out", the eval-mode output on it
The models are also used by check_feynman_weights.py, which checks the other direction.
"""
import os

import torch
from torch import nn

import safetensors_io
from fixture_io import FIXTURES
from make_model_fixtures import cnn_bn

torch.set_default_dtype(torch.float32)


def seq_transformer():
    return nn.Sequential(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, activation="gelu", batch_first=True),
                         nn.LayerNorm(16), nn.Linear(16, 4))


def mlp_small():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 10),
                         nn.LogSoftmax(dim=1))


MODELS = {
    "cnn_bn": (cnn_bn, lambda: torch.rand(3, 1, 28, 28)),
    "seq_transformer": (seq_transformer, lambda: torch.randn(2, 6, 16)),
    "mlp_small": (mlp_small, lambda: torch.randn(5, 1, 8, 8)),
}


def main():
    folder = os.path.join(FIXTURES, "exchange")
    os.makedirs(folder, exist_ok=True)
    for i, (name, (make, inputs)) in enumerate(MODELS.items()):
        torch.manual_seed(100 + i)
        model = make()
        x = inputs()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        model.train()
        for _ in range(2):
            opt.zero_grad()
            model(x).square().mean().backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            out = model(x)
        safetensors_io.save(os.path.join(folder, f"{name}.safetensors"), model.state_dict(), {"source": "pytorch"})
        safetensors_io.save(os.path.join(folder, f"{name}_io.safetensors"), {"x": x, "out": out})
        print(f"wrote {name} ({sum(v.numel() for v in model.state_dict().values())} values)")


if __name__ == "__main__":
    main()
