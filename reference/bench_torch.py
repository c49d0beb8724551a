"""The PyTorch side of the side-by-side benchmark (bench/compare runs it; run with /usr/bin/python3).

Models, batch 128 of random 1x28x28 inputs (10 classes), SGD lr 0.01 momentum 0.9, cross-entropy:
  mlp1200       784-1200-1200-10, ReLU
  mlp256        784-256-10, ReLU
  cnn           conv(1->32,3x3,pad1)-ReLU-maxpool2-conv(32->64,3x3,pad1)-ReLU-maxpool2-linear(3136->128)-ReLU-linear(128->10)
  mlp256_infer  one-sample inference of mlp256 under torch.no_grad(): median latency over N calls

Training throughput is samples/s over --seconds after a warm-up. Every (thread configuration, model)
runs in a fresh subprocess, because OpenMP reads its settings once at start. The result is one JSON
object on stdout: per-configuration results and, per model, the best configuration and its number.
Progress goes to stderr.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

MODELS = ["mlp1200", "mlp256", "cnn", "mlp256_infer"]

# name -> (environment overrides, torch.set_num_threads value or None). OPENBLAS_CORETYPE is left as the machine sets it.
CONFIGS = {
    "default": ({}, None),
    "passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, None),
    "torch2_passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, 2),
    "torch1_blas2": ({"OPENBLAS_NUM_THREADS": "2"}, 1),
    "single": ({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}, None),
}

BATCH = 128


def build(name, torch):
    nn = torch.nn
    if name == "mlp1200":
        return nn.Sequential(nn.Linear(784, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(), nn.Linear(1200, 10))
    if name in ("mlp256", "mlp256_infer"):
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    raise SystemExit(f"unknown model '{name}'; known: {', '.join(MODELS)}")


def worker(model_name, threads, seconds, infer_calls):
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(model_name, torch)
    result = {"threads": torch.get_num_threads()}
    if model_name == "mlp256_infer":
        model.eval()
        x = torch.rand(1, 784)
        with torch.no_grad():
            for _ in range(200):
                model(x)
            times = []
            for _ in range(infer_calls):
                t0 = time.perf_counter_ns()
                model(x)
                times.append(time.perf_counter_ns() - t0)
        result.update(unit="us", median_us=statistics.median(times) / 1000.0, calls=infer_calls)
        result["value"] = result["median_us"]
    else:
        flat = model_name != "cnn"
        x = torch.rand(BATCH, 784) if flat else torch.rand(BATCH, 1, 28, 28)
        y = torch.randint(0, 10, (BATCH,))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        warm_end = time.perf_counter() + min(1.0, seconds / 3)
        while time.perf_counter() < warm_end:
            step()
        steps = 0
        t0 = time.perf_counter()
        while True:
            loss = step()
            steps += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds:
                break
        result.update(unit="samples/s", value=steps * BATCH / elapsed, steps=steps, seconds=elapsed,
                      ms_per_step=1000.0 * elapsed / steps, loss=float(loss))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=3.0, help="measured seconds per training model and configuration")
    p.add_argument("--infer-calls", type=int, default=10000, help="timed one-sample inference calls")
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.threads, args.seconds, args.infer_calls)))
        return

    models = [m for m in args.models.split(",") if m]
    configs = [c for c in args.configs.split(",") if c]
    for m in models:
        if m not in MODELS:
            raise SystemExit(f"unknown model '{m}'; known: {', '.join(MODELS)}")
    for c in configs:
        if c not in CONFIGS:
            raise SystemExit(f"unknown configuration '{c}'; known: {', '.join(CONFIGS)}")

    import torch  # only for the version; workers import their own

    out = {"torch": torch.__version__, "batch": BATCH, "seconds": args.seconds, "infer_calls": args.infer_calls,
           "configs": {}, "best": {}}
    for c in configs:
        env_over, threads = CONFIGS[c]
        env = dict(os.environ)
        env.update(env_over)
        entry = {"env": env_over, "set_num_threads": threads, "models": {}}
        for m in models:
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", m, "--seconds", str(args.seconds),
                   "--infer-calls", str(args.infer_calls)]
            if threads is not None:
                cmd += ["--threads", str(threads)]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                entry["models"][m] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
            else:
                entry["models"][m] = json.loads(proc.stdout.strip().splitlines()[-1])
            r = entry["models"][m]
            shown = r.get("error") or f"{r['value']:.1f} {r['unit']} ({r['threads']} torch threads)"
            print(f"torch {c:15s} {m:13s} {shown}", file=sys.stderr, flush=True)
        out["configs"][c] = entry

    for m in models:
        best = None
        for c in configs:
            r = out["configs"][c]["models"].get(m, {})
            if "value" not in r:
                continue
            better = best is None or (r["value"] < best["value"] if r["unit"] == "us" else r["value"] > best["value"])
            if better:
                best = {"config": c, "value": r["value"], "unit": r["unit"]}
        out["best"][m] = best
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
