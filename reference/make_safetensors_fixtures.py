"""Safetensors files written from PyTorch tensors by reference/safetensors_io.py (run with /usr/bin/python3).

fixtures/serialization/torch_mixed.safetensors    F32, F16, BF16, F64 and I64 tensors plus metadata;
fixtures/serialization/torch_mixed.json          the same values as float32, for the test to compare;
fixtures/serialization/torch_f32.safetensors      only F32 tensors: Feynman re-saving it must give the same bytes.
"""
import os

import torch

import safetensors_io
from fixture_io import FIXTURES, case, write

torch.manual_seed(7)
mixed = {
    "features.0.weight": torch.randn(3, 4),
    "features.0.bias": torch.randn(4),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 3),
    "half": torch.randn(2, 3).to(torch.float16),
    "brain": torch.randn(5).to(torch.bfloat16),
    "double": torch.randn(2, 2, dtype=torch.float64),
    "bn.num_batches_tracked": torch.tensor(42, dtype=torch.int64),
}
f32 = {
    "0.weight": torch.randn(4, 3),
    "0.bias": torch.randn(4),
    "2.weight": torch.randn(2, 4),
    "2.bias": torch.randn(2),
}
folder = os.path.join(FIXTURES, "serialization")
os.makedirs(folder, exist_ok=True)
safetensors_io.save(os.path.join(folder, "torch_mixed.safetensors"), mixed, {"format": "pt", "source": "pytorch"})
safetensors_io.save(os.path.join(folder, "torch_f32.safetensors"), f32, {"epoch": "3"})
write("serialization/torch_mixed.json", [case("mixed", {k: v.to(torch.float32) for k, v in mixed.items()},
                                               {"metadata": {"format": "pt", "source": "pytorch"}})])
# Round trip through the reader, so the writer and reader agree with each other.
back, meta = safetensors_io.load(os.path.join(folder, "torch_mixed.safetensors"), require_padding=True)
assert meta == {"format": "pt", "source": "pytorch"}
for k, v in mixed.items():
    assert back[k].dtype == v.dtype and torch.equal(back[k], v), k
print("ok")
