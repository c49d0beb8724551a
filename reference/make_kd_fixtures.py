#!/usr/bin/python3
"""Knowledge-distillation training in PyTorch, step by step, for tests/Feynman.Tests/Paradigms/DistillationFixtureTests.cs:
an MLP student (20-16-4) trained for 10 SGD steps (momentum 0.9, Nesterov) on
loss = alpha * CE(z, y) + (1 - alpha) * T^2 * KL(p_T || softmax(z / T)), batchmean, with fixed teacher probabilities p_T.
Records the initial weights, every batch, the loss of every step and the final weights.

    /usr/bin/python3 reference/make_kd_fixtures.py
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import fixture_io


def run(name, temperature, alpha, lr, steps=10, batch=12, features=20, hidden=16, classes=4, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, classes))
    x = torch.randn(steps, batch, features)
    y = torch.randint(0, classes, (steps, batch))
    teacher_logits = torch.randn(steps, batch, classes) * 3
    p = F.softmax(teacher_logits / temperature, -1)
    tensors = {f"init.{k}": v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
    losses = []
    for s in range(steps):
        z = model(x[s])
        loss = (1 - alpha) * temperature ** 2 * F.kl_div(F.log_softmax(z / temperature, 1), p[s], reduction="batchmean")
        loss = loss + alpha * F.cross_entropy(z, y[s])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    tensors.update({"x": x, "y": y.float(), "p": p, "losses": torch.tensor(losses)})
    tensors.update({f"final.{k}": v.clone() for k, v in model.state_dict().items()})
    return fixture_io.case(name, tensors, {"temperature": temperature, "alpha": alpha, "lr": lr, "steps": steps, "batch": batch,
                                           "features": features, "hidden": hidden, "classes": classes})


if __name__ == "__main__":
    fixture_io.write("paradigms/distillation_steps.json", [
        run("t4_alpha0.1", 4.0, 0.1, 0.05),
        run("t1_alpha0.5", 1.0, 0.5, 0.1, seed=1),
        run("t8_alpha0", 8.0, 0.0, 0.02, seed=2),
    ])
