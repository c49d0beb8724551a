"""PyTorch fixtures for convolution, pooling, normalisation and attention (reference/fixtures/ops_b.json).

Each case stores the inputs, the forward output ("out"), a seeded random projection "proj" and the
gradients of sum(out * proj) with respect to every differentiable input ("grad.<name>").
Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import math

import torch
import torch.nn.functional as F

from fixture_io import case, write

torch.manual_seed(20261121)


def rnd(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape) * scale + shift).requires_grad_()


def finish(name, inputs, out, params, extra=None):
    """Backward of sum(out * proj) and one fixture case with inputs, output, proj and gradients."""
    proj = torch.randn(out.shape)
    (out * proj).sum().backward()
    tensors = {k: v for k, v in inputs.items()}
    tensors["out"] = out
    tensors["proj"] = proj
    for k, v in inputs.items():
        if isinstance(v, torch.Tensor) and v.requires_grad:
            tensors["grad." + k] = v.grad
    if extra:
        tensors.update(extra)
    return case(name, tensors, params)


cases = []

# ---------------------------------------------------------------- conv2d
for name, xs, ws, stride, padding, has_bias in [
    ("conv_s1_p1", (2, 3, 7, 6), (4, 3, 3, 3), (1, 1), (1, 1), True),
    ("conv_s2_p1", (2, 3, 9, 8), (5, 3, 3, 3), (2, 2), (1, 1), True),
    ("conv_nonsquare", (2, 2, 8, 7), (3, 2, 3, 2), (2, 1), (1, 0), False),
    ("conv_5x5_s3_p2", (1, 2, 11, 10), (2, 2, 5, 5), (3, 3), (2, 2), True),
    ("conv_1x1", (3, 4, 5, 5), (6, 4, 1, 1), (1, 1), (0, 0), True),
]:
    x = rnd(*xs)
    w = rnd(*ws, scale=0.5)
    inputs = {"x": x, "weight": w}
    b = None
    if has_bias:
        b = rnd(ws[0])
        inputs["bias"] = b
    out = F.conv2d(x, w, b, stride=stride, padding=padding)
    cases.append(finish(name, inputs, out, {"stride": list(stride), "padding": list(padding)}))

# ---------------------------------------------------------------- pooling
for name, xs, k, s, p in [
    ("maxpool_k2", (2, 3, 6, 6), (2, 2), (2, 2), (0, 0)),
    ("maxpool_k3_s2_p1", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1)),
    ("maxpool_nonsquare", (1, 2, 6, 5), (3, 2), (2, 1), (1, 0)),
]:
    x = rnd(*xs)
    out = F.max_pool2d(x, k, s, p)
    cases.append(finish(name, {"x": x}, out, {"kernel": list(k), "stride": list(s), "padding": list(p)}))

# Rows of 6 and 9 outputs (the vectorised 2x2 paths), odd sizes, and ties: relu zeros and values on a coarse grid.
for name, xs in [("maxpool_k2_ties_wide", (1, 2, 5, 19)), ("maxpool_k2_ties_mid", (2, 1, 6, 12))]:
    x = (torch.relu(torch.randn(*xs)) * 2).round().div(2).requires_grad_()
    out = F.max_pool2d(x, 2)
    cases.append(finish(name, {"x": x}, out, {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]}))

for name, xs, k, s, p, include in [
    ("avgpool_k2", (2, 3, 6, 6), (2, 2), (2, 2), (0, 0), True),
    ("avgpool_k3_s2_p1", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1), True),
    ("avgpool_k3_s2_p1_nopad", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1), False),
    ("avgpool_nonsquare", (1, 2, 6, 5), (3, 2), (2, 1), (1, 0), True),
]:
    x = rnd(*xs)
    out = F.avg_pool2d(x, k, s, p, count_include_pad=include)
    cases.append(finish(name, {"x": x}, out, {"kernel": list(k), "stride": list(s), "padding": list(p), "count_include_pad": include}))

# ---------------------------------------------------------------- batch norm
for name, xs, affine, training in [
    ("bn2d_train", (4, 3, 5, 5), True, True),
    ("bn1d_train", (6, 4), True, True),
    ("bn1d_seq_train_noaffine", (3, 4, 5), False, True),
    ("bn2d_eval", (2, 3, 4, 4), True, False),
]:
    c = xs[1]
    x = rnd(*xs, scale=2.0, shift=0.5)
    rm = torch.randn(c) * 0.2
    rv = torch.rand(c) + 0.5
    inputs = {"x": x, "running_mean": rm.clone(), "running_var": rv.clone()}
    w = b = None
    if affine:
        w = rnd(c)
        b = rnd(c)
        inputs["weight"] = w
        inputs["bias"] = b
    rm_after, rv_after = rm.clone(), rv.clone()
    out = F.batch_norm(x, rm_after, rv_after, w, b, training=training, momentum=0.1, eps=1e-5)
    cases.append(finish(name, inputs, out, {"training": training, "momentum": 0.1, "eps": 1e-5},
                        {"running_mean.after": rm_after, "running_var.after": rv_after}))

# ---------------------------------------------------------------- layer norm
for name, xs, normalized, affine in [
    ("ln_last", (3, 4, 8), (8,), True),
    ("ln_last2", (2, 3, 4, 5), (4, 5), True),
    ("ln_noaffine", (5, 6), (6,), False),
]:
    x = rnd(*xs, scale=1.5, shift=-0.3)
    inputs = {"x": x}
    w = b = None
    if affine:
        w = rnd(*normalized)
        b = rnd(*normalized)
        inputs["weight"] = w
        inputs["bias"] = b
    out = F.layer_norm(x, normalized, w, b, eps=1e-5)
    cases.append(finish(name, inputs, out, {"normalized_shape": list(normalized), "eps": 1e-5}))


# ---------------------------------------------------------------- scaled dot-product attention
def sdpa(q, k, v, mask=None, causal=False):
    # PyTorch 1.13 has no F.scaled_dot_product_attention: the math of PyTorch 2's reference version.
    L, S = q.shape[-2], k.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores + mask
    return torch.softmax(scores, dim=-1) @ v


for name, qs, ks, vs, mask_shape, causal in [
    ("sdpa", (2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 3), None, False),
    ("sdpa_causal", (2, 2, 5, 4), (2, 2, 5, 4), (2, 2, 5, 4), None, True),
    ("sdpa_causal_rect", (1, 2, 4, 4), (1, 2, 6, 4), (1, 2, 6, 2), None, True),
    ("sdpa_mask", (2, 2, 5, 4), (2, 2, 6, 4), (2, 2, 6, 3), (5, 6), False),
    ("sdpa_mask_heads", (2, 2, 3, 4), (2, 2, 4, 4), (2, 2, 4, 4), (2, 1, 1, 4), False),
]:
    q, k, v = rnd(*qs), rnd(*ks), rnd(*vs)
    inputs = {"q": q, "k": k, "v": v}
    mask = None
    if mask_shape is not None:
        mask = rnd(*mask_shape)
        inputs["mask"] = mask
    out = sdpa(q, k, v, mask, causal)
    cases.append(finish(name, inputs, out, {"causal": causal}))

write("ops_b.json", cases)
