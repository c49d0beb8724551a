"""Optimizer, schedule and gradient-clipping fixtures from PyTorch (run with /usr/bin/python3).

An MLP nn.Sequential(Linear(20, 16), ReLU(), Linear(16, 5)) with fixed weights and a fixed batch is
trained 3 steps by each optimizer; every case records the initial state dict ("init.<name>"), the
batch ("x", "y"), and for each step s the loss ("step<s>.loss"), every gradient ("step<s>.grad.<name>")
and every parameter after the update ("step<s>.param.<name>"). Losses use only ops Feynman has:
mse = mean((out - y) * (out - y)), sum = sum(out).
Writes fixtures/optim/optimizers.json and fixtures/optim/schedules.json.
"""
import torch
from torch import nn

from fixture_io import case, write

torch.set_default_dtype(torch.float32)


def make_model():
    torch.manual_seed(1234)
    return nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 5))


torch.manual_seed(99)
X = torch.randn(8, 20)
Y = torch.randn(8, 5)


def loss_of(out, kind):
    if kind == "mse":
        d = out - Y
        return (d * d).mean()
    return out.sum()


OPTIMIZERS = [
    ("sgd_momentum", "mse", dict(kind="sgd", lr=0.1, momentum=0.9, dampening=0.0, weight_decay=1e-4, nesterov=False),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-4, foreach=False)),
    ("sgd_nesterov", "sum", dict(kind="sgd", lr=0.01, momentum=0.9, dampening=0.0, weight_decay=1e-4, nesterov=True),
     lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, weight_decay=1e-4, nesterov=True, foreach=False)),
    ("sgd_dampening", "mse", dict(kind="sgd", lr=0.05, momentum=0.5, dampening=0.3, weight_decay=0.0, nesterov=False),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, dampening=0.3, foreach=False)),
    ("adam", "mse", dict(kind="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2),
     lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=1e-2, foreach=False)),
    ("adamw", "mse", dict(kind="adamw", lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1),
     lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, foreach=False)),
    # A small beta2 lets the second moment fall, so AMSGrad's running maximum matters.
    ("adam_amsgrad", "mse", dict(kind="adam", lr=0.01, beta1=0.9, beta2=0.3, eps=1e-8, weight_decay=0.0, amsgrad=True),
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.3), amsgrad=True, foreach=False)),
    ("adamw_amsgrad", "sum", dict(kind="adamw", lr=0.01, beta1=0.9, beta2=0.3, eps=1e-8, weight_decay=0.05, amsgrad=True),
     lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.3), weight_decay=0.05, amsgrad=True, foreach=False)),
]


def optimizer_cases():
    cases = []
    for name, loss_kind, params, make in OPTIMIZERS:
        model = make_model()
        opt = make(model.parameters())
        tensors = {"x": X, "y": Y}
        for k, v in model.state_dict().items():
            tensors[f"init.{k}"] = v.clone()
        for step in range(3):
            opt.zero_grad(set_to_none=True)
            loss = loss_of(model(X), loss_kind)
            loss.backward()
            tensors[f"step{step}.loss"] = loss.detach().clone()
            for k, p in model.named_parameters():
                tensors[f"step{step}.grad.{k}"] = p.grad.clone()
            opt.step()
            for k, p in model.named_parameters():
                tensors[f"step{step}.param.{k}"] = p.detach().clone()
        cases.append(case(name, tensors, dict(params, loss=loss_kind, steps=3)))

    # clip_grad_norm_ on the first mse gradients, once clipping (max 0.05) and once not (max 100).
    for max_norm in (0.05, 100.0):
        model = make_model()
        loss = loss_of(model(X), "mse")
        loss.backward()
        tensors = {"x": X, "y": Y}
        for k, v in model.state_dict().items():
            tensors[f"init.{k}"] = v.clone()
        total = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        tensors["total_norm"] = total.detach().clone()
        for k, p in model.named_parameters():
            tensors[f"clipped.{k}"] = p.grad.clone()
        cases.append(case(f"clip_grad_norm_{max_norm:g}", tensors, dict(max_norm=max_norm)))
    return cases


def lrs(make_scheduler, steps, base_lr=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    values = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        sched.step()
        values.append(opt.param_groups[0]["lr"])
    return values


def schedule_cases():
    S = torch.optim.lr_scheduler
    cases = [
        case("step_lr", {}, dict(kind="step", step_size=3, gamma=0.5, base_lr=0.1,
                                 lrs=lrs(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 12))),
        case("cosine", {}, dict(kind="cosine", t_max=10, eta_min=0.001, base_lr=0.1,
                                lrs=lrs(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 15))),
    ]
    # Warm-up then cosine: PyTorch's LinearLR for the first 4 steps, then CosineAnnealingLR from its step 0.
    warmup = lrs(lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4), 3)
    cosine = lrs(lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.0), 10)
    sequential = lrs(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=4),
                                                  S.CosineAnnealingLR(o, T_max=8)], milestones=[4]), 14)
    composed = warmup + cosine
    assert max(abs(a - b) for a, b in zip(composed, sequential)) < 1e-12, (composed, sequential)
    cases.append(case("warmup_cosine", {}, dict(kind="warmup_cosine", warmup=4, start_factor=0.25, t_max=8, eta_min=0.0,
                                                base_lr=0.1, lrs=sequential)))
    return cases


if __name__ == "__main__":
    write("optim/optimizers.json", optimizer_cases())
    write("optim/schedules.json", schedule_cases())
