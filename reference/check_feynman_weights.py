"""Loads a state dict written by Feynman into the same PyTorch nn.Sequential and compares outputs
(run with /usr/bin/python3; used by tests/Feynman.Tests/Nn/WeightExchangeTests.cs).

usage: check_feynman_weights.py <model> <weights.safetensors> <io.safetensors>
<model> names a builder of make_exchange_fixtures.MODELS; the io file holds "x" and Feynman's eval output "out".
Prints JSON {"max_abs_diff": d, "max_abs_out": m, "keys": n}; exits 1 with a message if the state dict does not load.
"""
import json
import sys

import torch

import safetensors_io
from make_exchange_fixtures import MODELS


def main():
    name, weights, io = sys.argv[1], sys.argv[2], sys.argv[3]
    model = MODELS[name][0]()
    state, _ = safetensors_io.load(weights)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        print(f"{weights}: {e}", file=sys.stderr)
        sys.exit(1)
    tensors, _ = safetensors_io.load(io)
    model.eval()
    with torch.no_grad():
        out = model(tensors["x"])
    diff = (out - tensors["out"]).abs().max().item()
    json.dump({"max_abs_diff": diff, "max_abs_out": out.abs().max().item(), "keys": len(state)}, sys.stdout)


if __name__ == "__main__":
    main()
