"""A small, independent safetensors writer and reader for PyTorch tensors (Debian's python3-torch has
no safetensors package), following the format specification:

  8 bytes   N, little-endian unsigned 64-bit header length
  N bytes   JSON {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}}
            (the reference implementation pads it with spaces to a multiple of 8)
  rest      the tensors' little-endian bytes; offsets are relative to the end of the header and cover
            the data exactly, without holes or overlaps.

Run as a script, it reads a file and prints JSON {"metadata": {...}, "tensors": {name: {"dtype", "shape",
"data"}}} (values as float32 lists), exiting with status 1 and a message if the file breaks the spec.
"""
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save(path, tensors, metadata=None):
    """Writes as the reference implementation does: sorted by dtype size (largest first), then name."""
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


class FormatError(Exception):
    pass


def load(path, require_padding=False):
    """Returns (tensors, metadata); raises FormatError for anything the specification forbids."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise FormatError("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise FormatError(f"header length {n} exceeds the file")
    if require_padding and (8 + n) % 8 != 0:
        raise FormatError(f"header length {n} is not padded to a multiple of 8")
    raw = blob[8:8 + n]
    if not raw.startswith(b"{"):
        raise FormatError("header does not start with '{'")
    header = json.loads(raw.decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise FormatError("metadata must map strings to strings")
    data = blob[8 + n:]
    spans, tensors = [], {}
    for name, info in header.items():
        dtype = DTYPES[info["dtype"]]
        shape = info["shape"]
        begin, end = info["data_offsets"]
        count = 1
        for d in shape:
            count *= d
        size = torch.tensor([], dtype=dtype).element_size()
        if end - begin != count * size:
            raise FormatError(f"{name}: offsets [{begin}, {end}] do not fit shape {shape} of {info['dtype']}")
        spans.append((begin, end, name))
        chunk = bytearray(data[begin:end])
        if dtype == torch.bfloat16:
            t = torch.frombuffer(chunk, dtype=torch.int16).view(torch.bfloat16) if count else torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(chunk, dtype=dtype) if count else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(shape).clone()
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise FormatError(f"{name}: data starts at {begin}, expected {position} (hole or overlap)")
        position = end
    if position != len(data):
        raise FormatError(f"tensors cover {position} bytes of a {len(data)}-byte data section")
    return tensors, metadata


if __name__ == "__main__":
    try:
        tensors, metadata = load(sys.argv[1], require_padding="--require-padding" in sys.argv)
    except (FormatError, KeyError, ValueError) as e:
        print(f"{sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
    out = {"metadata": metadata, "tensors": {
        k: {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data": [float(v) for v in t.to(torch.float32).reshape(-1).tolist()]}
        for k, t in tensors.items()}}
    json.dump(out, sys.stdout)
