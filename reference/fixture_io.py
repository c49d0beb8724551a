"""Writes fixture files in the format tests/Feynman.Tests/Support/Fixture.cs reads.

{"cases": [{"name": str, "params": {...}, "tensors": {name: {"shape": [...], "data": [...]}}}]}
Tensor names: inputs ("x", "weight"), outputs ("out"), gradients ("grad.x").
Run every reference script with Debian's /usr/bin/python3 (python3-torch).
"""
import json
import os

import torch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def tensor_entry(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, tensors, params=None):
    return {"name": name, "params": params or {}, "tensors": {k: tensor_entry(v) for k, v in tensors.items()}}


def write(relative_path, cases):
    path = os.path.join(FIXTURES, relative_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
    print(f"wrote {path} ({len(cases)} cases, {os.path.getsize(path)} bytes)")
