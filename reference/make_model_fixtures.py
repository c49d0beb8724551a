"""Full-model training fixtures from PyTorch (run with /usr/bin/python3): three SGD steps of small models.

Each case holds the initial state dict ("init.<key>", parameters and buffers), the batch ("x", and "labels"
as floats for cross-entropy or "y" for MSE), and for each step s in 0..2 the loss before the update
("step<s>.loss"), every gradient ("step<s>.grad.<name>"), every parameter after the update
("step<s>.param.<name>") and every buffer after the step ("step<s>.buffer.<name>"). After the steps the
model's eval-mode output on x is stored as "eval_out". Optimizer: SGD(lr 0.1, momentum 0.9).
Values are written with 8 significant digits to keep the files small (the tests compare to 1e-4).
Writes fixtures/models/<case>.json, one file per case.
"""
import json
import os

import torch
from torch import nn

from fixture_io import FIXTURES

torch.set_default_dtype(torch.float32)
LR, MOMENTUM, STEPS = 0.1, 0.9, 3


def mlp():
    # Hidden 16 instead of 64 keeps the fixture near 1 MB (it stores the 784-wide weight seven times).
    return nn.Sequential(nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10))


def cnn():
    # The benchmark CNN with channels 32, 64 and hidden 128 reduced to 4, 8 and 16 to keep the fixture small.
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(392, 16), nn.ReLU(), nn.Linear(16, 10))


def cnn_bn():
    # Layers before batch norm have no bias: its true gradient is zero, so only rounding noise would be compared.
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.Dropout(0.0),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(392, 16, bias=False), nn.BatchNorm1d(16), nn.Tanh(),
                         nn.Dropout(0.0), nn.Linear(16, 10))


def transformer():
    return nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)


def transformer_prenorm():
    return nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)


def causal_mask(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


def fmt(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float("%.8g" % v) for v in t.reshape(-1).tolist()]}


def run(name, make, x, target, loss_kind, params, forward=None):
    torch.manual_seed(1234)
    model = make()
    forward = forward or (lambda m, inp: m(inp))
    tensors = {"x": x}
    if loss_kind == "ce":
        tensors["labels"] = target.to(torch.float32)
    else:
        tensors["y"] = target
    for k, v in model.state_dict().items():
        tensors[f"init.{k}"] = v.clone()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, foreach=False)
    model.train()
    for s in range(STEPS):
        opt.zero_grad()
        out = forward(model, x)
        if loss_kind == "ce":
            loss = nn.functional.cross_entropy(out, target)
        else:
            loss = nn.functional.mse_loss(out, target)
        loss.backward()
        tensors[f"step{s}.loss"] = loss.detach().reshape(())
        for n, p in model.named_parameters():
            tensors[f"step{s}.grad.{n}"] = p.grad.clone()
        opt.step()
        for n, p in model.named_parameters():
            tensors[f"step{s}.param.{n}"] = p.detach().clone()
        for n, b in model.named_buffers():
            tensors[f"step{s}.buffer.{n}"] = b.detach().clone().to(torch.float32)
    model.eval()
    with torch.no_grad():
        tensors["eval_out"] = forward(model, x)
    params = dict(params, lr=LR, momentum=MOMENTUM, steps=STEPS, loss=loss_kind)
    path = os.path.join(FIXTURES, "models", f"{name}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"cases": [{"name": name, "params": params, "tensors": {k: fmt(v) for k, v in tensors.items()}}]},
                  f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    torch.manual_seed(7)
    x_mlp = torch.randn(16, 784)
    labels_mlp = torch.randint(0, 10, (16,))
    run("mlp", mlp, x_mlp, labels_mlp, "ce", {})

    torch.manual_seed(8)
    x_img = torch.rand(4, 1, 28, 28)
    labels_img = torch.randint(0, 10, (4,))
    run("cnn", cnn, x_img, labels_img, "ce", {})
    run("cnn_bn", cnn_bn, x_img, labels_img, "ce", {})

    torch.manual_seed(9)
    x_seq = torch.randn(2, 5, 16)
    y_seq = torch.randn(2, 5, 16)
    run("transformer", transformer, x_seq, y_seq, "mse", {"causal": False})
    run("transformer_prenorm_gelu_causal", transformer_prenorm, x_seq, y_seq, "mse", {"causal": True},
        forward=lambda m, inp: m(inp, src_mask=causal_mask(inp.shape[1])))


if __name__ == "__main__":
    main()
