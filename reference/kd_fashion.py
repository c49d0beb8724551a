#!/usr/bin/python3
"""The kd-fashion recipe in PyTorch: the same models, data, optimiser, schedule, augmentation and loss as
`feynman run recipes/kd-fashion.yaml`, read from the same YAML file, so the two can be compared seed for seed.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 reference/kd_fashion.py recipes/kd-fashion.yaml --seeds 1 2 3 --out runs/kd-fashion-torch.json

Runs, per seed: every teacher from labels; the student from labels alone; the same student distilled with
loss = alpha * CE(student, y) + (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T)).
Writes one JSON file with each model's test accuracy per seed. Debian's python3-torch (1.13) at /usr/bin/python3.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # PyTorch's best configuration on this machine (see bench/)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
FILES = {
    "fashion-mnist:train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "fashion-mnist:test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
TRAINING_DEFAULTS = {"epochs": 10, "batch_size": 128, "schedule": "constant", "label_smoothing": 0.0,
                     "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0},
                     "augment": None}


def load(source, data_dir):
    images, labels = FILES[source]
    with gzip.open(os.path.join(data_dir, images)) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    with gzip.open(os.path.join(data_dir, labels)) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def build(model_spec):
    """The recipe's layer list as nn.Sequential, sizes inferred as Feynman's ModelBuilder does."""
    shape = list(model_spec["input"])
    layers = []
    for entry in model_spec["layers"]:
        kind, arg = (entry, None) if isinstance(entry, str) else next(iter(entry.items()))
        if kind == "conv2d":
            m = nn.Conv2d(shape[0], arg["out"], arg["kernel"], arg.get("stride", 1), arg.get("padding", 0), bias=arg.get("bias", True))
            k, s, p = arg["kernel"], arg.get("stride", 1), arg.get("padding", 0)
            shape = [arg["out"], (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1]
        elif kind in ("maxpool2d", "avgpool2d"):
            k, s, p = (arg, arg, 0) if isinstance(arg, int) else (arg["kernel"], arg.get("stride", arg["kernel"]), arg.get("padding", 0))
            m = (nn.MaxPool2d if kind == "maxpool2d" else nn.AvgPool2d)(k, s, p)
            shape = [shape[0], (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1]
        elif kind == "linear":
            out, bias = (arg, True) if isinstance(arg, int) else (arg["out"], arg.get("bias", True))
            m = nn.Linear(shape[0], out, bias=bias)
            shape = [out]
        elif kind == "flatten":
            m = nn.Flatten()
            shape = [int(np.prod(shape))]
        elif kind == "dropout":
            m = nn.Dropout(0.5 if arg is None else (arg if isinstance(arg, (int, float)) else arg.get("p", 0.5)))
        elif kind == "batchnorm2d":
            m = nn.BatchNorm2d(shape[0])
        elif kind == "batchnorm1d":
            m = nn.BatchNorm1d(shape[0])
        else:
            m = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}[kind]()
        layers.append(m)
    return nn.Sequential(*layers)


def merged_training(base, override):
    t = json.loads(json.dumps(base))
    for key, value in (override or {}).items():
        if key == "optimizer":
            value = {"name": value} if isinstance(value, str) else value
            if value.get("name", t["optimizer"]["name"]) != t["optimizer"]["name"]:
                t["optimizer"] = dict(TRAINING_DEFAULTS["optimizer"], name=value["name"])
            t["optimizer"].update(value)
        else:
            t[key] = value
    return t


def augment(x, spec, gen):
    """RandomCrop(28, padding) then RandomHorizontalFlip(0.5), per sample, as Feynman's RandomCrop/RandomHorizontalFlip."""
    if not spec:
        return x
    n = x.shape[0]
    pad = spec.get("crop_padding", 0)
    if pad:
        padded = F.pad(x, (pad, pad, pad, pad))
        dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        size = 28 + 2 * pad
        rows = (dy[:, None] + torch.arange(28)[None, :])[:, None, :, None].expand(n, 1, 28, size)
        cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, None, :].expand(n, 1, 28, 28)
        x = padded.gather(2, rows).gather(3, cols)
    if spec.get("horizontal_flip", False):
        flip = torch.rand(n, generator=gen) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
    return x


def train(model, x, y, t, seed, soft=None, temperature=1.0, alpha=1.0, teacher=None, log=None):
    """One model's training run; soft (cached teacher probabilities at T) or teacher (online, for augmented inputs)."""
    o = t["optimizer"]
    if o["name"] == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=o["lr"], momentum=o.get("momentum", 0.0), nesterov=o.get("nesterov", False), weight_decay=o.get("weight_decay", 0.0))
    elif o["name"] == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=o.get("lr", 1e-3), weight_decay=o.get("weight_decay", 0.01))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=o.get("lr", 1e-3), weight_decay=o.get("weight_decay", 0.0))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, t["epochs"]) if t["schedule"] == "cosine" else None
    gen = torch.Generator().manual_seed(seed)
    n, bs = x.shape[0], t["batch_size"]
    for epoch in range(t["epochs"]):
        model.train()
        order = torch.randperm(n, generator=gen)
        total, start = 0.0, time.time()
        for b in range(0, n, bs):
            idx = order[b:b + bs]
            xb = augment(x[idx], t.get("augment"), gen)
            logits = model(xb)
            if soft is None and teacher is None:
                loss = F.cross_entropy(logits, y[idx], label_smoothing=t.get("label_smoothing", 0.0))
            else:
                if soft is not None:
                    p = soft[idx]
                else:
                    with torch.no_grad():
                        p = torch.stack([F.softmax(m(xb) / temperature, 1) for m in teacher]).mean(0)
                kl = F.kl_div(F.log_softmax(logits / temperature, 1), p, reduction="batchmean")
                loss = (1 - alpha) * temperature ** 2 * kl
                if alpha > 0:
                    loss = loss + alpha * F.cross_entropy(logits, y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * idx.numel()
        if sched:
            sched.step()
        if log:
            log(f"  epoch {epoch + 1}/{t['epochs']}  loss {total / n:.4f}  {n / (time.time() - start):,.0f} samples/s")
    model.eval()
    return model


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, x.shape[0], 1000))
    return correct / x.shape[0]


@torch.no_grad()
def soft_targets(teachers, x, temperature):
    out = []
    for i in range(0, x.shape[0], 1000):
        out.append(torch.stack([F.softmax(m(x[i:i + 1000]) / temperature, 1) for m in teachers]).mean(0))
    return torch.cat(out)


def run_seed(recipe, seed, data_dir, log):
    if float(recipe["data"].get("validation", 0.1)) > 0:  # Feynman's default holds 10% out; this script trains on all
        sys.exit(f"kd_fashion.py: data.validation must be 0 (got {recipe['data'].get('validation', 0.1)}); "
                 "this script trains every model on the whole training source, as Feynman does with validation: 0")
    x, y = load(recipe["data"]["train"], data_dir)
    if recipe["data"].get("train_size"):  # the first N samples in file order, as Feynman's data.train_size
        x, y = x[:recipe["data"]["train_size"]], y[:recipe["data"]["train_size"]]
    xt, yt = load(recipe["data"]["test"], data_dir)
    base = merged_training(TRAINING_DEFAULTS, {"augment": recipe["data"].get("augment")})
    base = merged_training(base, recipe.get("training"))
    kd = dict({"temperature": 4, "alpha": 0.1, "baseline": True}, **(recipe.get("distillation") or {}))
    sections = recipe.get("teachers") or [recipe["teacher"]]
    results, teachers = {}, []
    for i, section in enumerate(sections):
        torch.manual_seed(seed * 7919 + 1 + i)
        name = section.get("name", f"teacher{i + 1}")
        log(f"{name} (teacher), seed {seed}")
        start = time.time()
        if section.get("weights"):  # a teacher trained elsewhere (e.g. by Feynman), as the recipe's 'weights' key
            model = build(section["model"])
            model.load_state_dict(safetensors_io.load(section["weights"])[0])
            model.eval()
        else:
            model = train(build(section["model"]), x, y, merged_training(base, section.get("training")), seed * 31 + i, log=log)
        results[name] = {"role": "teacher", "accuracy": accuracy(model, xt, yt), "seconds": time.time() - start}
        log(f"{name}: test accuracy {results[name]['accuracy']:.4f}")
        teachers.append(model)
    student = recipe["student"]
    st = merged_training(base, student.get("training"))
    temperature, alpha = float(kd["temperature"]), float(kd["alpha"])
    soft = None if st.get("augment") else soft_targets(teachers, x, temperature)
    runs = ([("labels", "student (labels)")] if kd["baseline"] else []) + [("distilled", "student (distilled)")]
    for suffix, role in runs:
        torch.manual_seed(seed * 7919 + 100)  # the same initial weights for both students
        name = f"{student.get('name', 'student')}-{suffix}"
        log(f"{name} ({role}), seed {seed}")
        start = time.time()
        model = build(student["model"])
        if suffix == "labels":
            train(model, x, y, st, seed * 31 + 100, log=log)
        else:
            train(model, x, y, st, seed * 31 + 100, soft=soft, temperature=temperature, alpha=alpha,
                  teacher=None if soft is not None else teachers, log=log)
        results[name] = {"role": role, "accuracy": accuracy(model, xt, yt), "seconds": time.time() - start}
        log(f"{name}: test accuracy {results[name]['accuracy']:.4f}")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recipe")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--out", default="runs/kd-fashion-torch.json")
    ap.add_argument("--data-dir", default=DATA_DIR)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--feynman", metavar="DIR", help="also print a side-by-side table with `feynman run --seeds ... --out DIR`")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.recipe) as f:
        recipe = yaml.safe_load(f)
    log = lambda m: print(m, flush=True)  # noqa: E731
    out = {"recipe": args.recipe, "torch": torch.__version__, "seeds": {}}
    if os.path.exists(args.out):  # resume: keep seeds already done
        with open(args.out) as f:
            out = json.load(f)
    for seed in args.seeds:
        if str(seed) in out["seeds"]:
            log(f"seed {seed}: already in {args.out}")
            continue
        out["seeds"][str(seed)] = run_seed(recipe, seed, args.data_dir, log)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(out, f, indent=2)
    for name in next(iter(out["seeds"].values())):
        accs = [out["seeds"][s][name]["accuracy"] * 100 for s in out["seeds"]]
        print(f"{name:28s} {mean_std(accs)}  ({', '.join(f'{a:.2f}' for a in accs)})")
    if args.feynman:
        print()
        print(side_by_side(out, args.feynman))


def mean_std(values):
    sd = math.sqrt(sum((v - np.mean(values)) ** 2 for v in values) / max(1, len(values) - 1))
    return f"{np.mean(values):.2f} ± {sd:.2f}"


def gap_closed(models):
    """Share of the labels-only student's gap to the (best) teacher that distillation closed."""
    teacher = max(a for a, role in models.values() if role == "teacher")
    labels = next(a for a, role in models.values() if role == "student (labels)")
    distilled = next(a for a, role in models.values() if role == "student (distilled)")
    return (distilled - labels) / (teacher - labels) if teacher > labels else float("nan")


def side_by_side(torch_out, feynman_dir):
    """A Markdown table: each model's test accuracy in Feynman (feynman run --seeds ... --out DIR) and in PyTorch,
    over the seeds both have, and the gap closed by distillation in each."""
    seeds = [s for s in torch_out["seeds"] if os.path.exists(os.path.join(feynman_dir, f"seed-{s}", "results.json"))]
    if not seeds:
        return f"no seed of {list(torch_out['seeds'])} has {feynman_dir}/seed-N/results.json"
    feyn, torch_models = {}, {}
    for s in seeds:
        with open(os.path.join(feynman_dir, f"seed-{s}", "results.json")) as f:
            feyn[s] = {m["name"]: (m["test_accuracy"] * 100, m["role"]) for m in json.load(f)["models"]}
        torch_models[s] = {n: (r["accuracy"] * 100, r["role"]) for n, r in torch_out["seeds"][s].items()}
    rows = [f"seeds {', '.join(seeds)}; test accuracy %, mean ± std", "",
            "| model | role | Feynman | PyTorch | Feynman − PyTorch |", "| --- | --- | --- | --- | --- |"]
    for name, (_, role) in feyn[seeds[0]].items():
        f_acc = [feyn[s][name][0] for s in seeds]
        t_acc = [torch_models[s][name][0] for s in seeds]
        rows.append(f"| {name} | {role} | {mean_std(f_acc)} | {mean_std(t_acc)} | {np.mean(f_acc) - np.mean(t_acc):+.2f} |")
    f_gap = [gap_closed(feyn[s]) * 100 for s in seeds]
    t_gap = [gap_closed(torch_models[s]) * 100 for s in seeds]
    rows.append(f"| gap closed by distillation | | {mean_std(f_gap)} % | {mean_std(t_gap)} % | |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
