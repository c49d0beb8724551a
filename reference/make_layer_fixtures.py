"""Layer-level fixtures from PyTorch (run with /usr/bin/python3): forward outputs and gradients of nn modules
with their masks and options, given the module's state dict ("state.<key>"), the inputs, and an upstream
gradient "g" (the loss is sum(out * g)). Gradients: "grad.<input>" and "grad.<param name>". Buffers after the
forward(s): "after.<key>". Writes fixtures/nn/layers.json.
"""
import torch
from torch import nn

from fixture_io import case, write

torch.set_default_dtype(torch.float32)


def run(name, module, inputs, call, params=None, grad_inputs=()):
    for n in grad_inputs:
        inputs[n].requires_grad_(True)
    tensors = {f"state.{k}": v.clone() for k, v in module.state_dict().items()}
    out = call(module, inputs)
    g = torch.randn_like(out)
    (out * g).sum().backward()
    tensors.update({k: v for k, v in inputs.items() if isinstance(v, torch.Tensor)})
    tensors["out"] = out
    tensors["g"] = g
    for n in grad_inputs:
        tensors[f"grad.{n}"] = inputs[n].grad
    for n, p in module.named_parameters():
        if p.grad is not None:
            tensors[f"grad.{n}"] = p.grad
    for k, v in module.state_dict().items():
        tensors[f"after.{k}"] = v.to(torch.float32)
    return case(name, tensors, params)


def randomise(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    return module


def main():
    torch.manual_seed(21)
    cases = []
    # Cross-attention with an additive mask and a key padding mask, batch first.
    mha = randomise(nn.MultiheadAttention(8, 2, batch_first=True))
    attn_mask = torch.randn(3, 4) * 0.5
    kpm = torch.tensor([[False, False, False, True], [False, True, False, False]])
    cases.append(run("mha_cross_masks", mha, {"q": torch.randn(2, 3, 8), "k": torch.randn(2, 4, 8), "v": torch.randn(2, 4, 8),
                                              "attn_mask": attn_mask, "key_padding_mask": kpm.to(torch.float32)},
                     lambda m, i: m(i["q"], i["k"], i["v"], attn_mask=i["attn_mask"], key_padding_mask=kpm, need_weights=False)[0],
                     grad_inputs=("q", "k", "v")))
    # Sequence-first self-attention without biases.
    mha2 = randomise(nn.MultiheadAttention(8, 4, bias=False))
    cases.append(run("mha_self_seq_first_nobias", mha2, {"x": torch.randn(5, 2, 8)},
                     lambda m, i: m(i["x"], i["x"], i["x"], need_weights=False)[0], grad_inputs=("x",)))
    # Encoder layer, sequence first, with key padding, post-norm, relu.
    enc = randomise(nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, batch_first=False))
    kpm2 = torch.tensor([[False, False, False, False, True], [False, False, True, True, True]])
    cases.append(run("encoder_seq_first_padding", enc, {"x": torch.randn(5, 2, 8), "key_padding_mask": kpm2.to(torch.float32)},
                     lambda m, i: m(i["x"], src_key_padding_mask=kpm2), grad_inputs=("x",)))
    # A two-layer pre-norm encoder stack with a final norm, a causal mask and key padding.
    stack = randomise(nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, batch_first=True, norm_first=True),
                                            2, norm=nn.LayerNorm(8), enable_nested_tensor=False))
    causal = torch.triu(torch.full((4, 4), float("-inf")), diagonal=1)
    kpm3 = torch.tensor([[False, False, False, True], [False, False, False, False]])
    cases.append(run("encoder_stack_causal_padding", stack, {"x": torch.randn(2, 4, 8), "key_padding_mask": kpm3.to(torch.float32)},
                     lambda m, i: m(i["x"], mask=causal, src_key_padding_mask=kpm3), grad_inputs=("x",)))
    # Embedding with a padding index (the padding row gets no gradient).
    emb = nn.Embedding(10, 4, padding_idx=2)
    idx = torch.tensor([[1, 2, 3], [2, 9, 1]])
    cases.append(run("embedding_padding", emb, {"indices": idx.to(torch.float32)}, lambda m, i: m(idx)))
    # EmbeddingBag, mean over variable-length bags with a padding index.
    bag = nn.EmbeddingBag(10, 4, mode="mean", padding_idx=0)
    bidx, offs = torch.tensor([1, 0, 4, 5, 0, 0, 7, 3]), torch.tensor([0, 3, 3, 6])
    cases.append(run("embedding_bag_mean_padding", bag, {"indices": bidx.to(torch.float32), "offsets": offs.to(torch.float32)},
                     lambda m, i: m(bidx, offs)))
    # BatchNorm1d over [N, C, L] with a cumulative average (momentum None), two training forwards.
    bn = randomise(nn.BatchNorm1d(3, momentum=None))
    x1, x2 = torch.randn(4, 3, 5), torch.randn(4, 3, 5) * 2 + 1
    cases.append(run("batchnorm1d_cumulative", bn, {"x1": x1, "x": x2},
                     lambda m, i: (m(i["x1"]), m(i["x"]))[1], grad_inputs=("x",)))
    # LayerNorm over the last two dimensions.
    ln = randomise(nn.LayerNorm([3, 4]))
    cases.append(run("layernorm_2d", ln, {"x": torch.randn(2, 3, 4) * 3}, lambda m, i: m(i["x"]), grad_inputs=("x",)))
    write("nn/layers.json", cases)


if __name__ == "__main__":
    main()
