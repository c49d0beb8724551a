"""PyTorch reference values for Feynman's elementwise, reduction, softmax, loss, indexing and embedding ops.

Each case stores its inputs, the forward output "out", a seeded random weight "w" of the output's shape,
and the gradients "grad.<input>" of sum(out * w), so gradients are non-trivial.
Run with Debian's /usr/bin/python3 (python3-torch 1.13):  /usr/bin/python3 reference/make_op_fixtures_a.py
"""
import torch
import torch.nn.functional as F

from fixture_io import case, write

torch.manual_seed(20261122)
cases = []


def away_from_zero(*shape, low=0.2, high=1.5):
    magnitude = torch.empty(*shape).uniform_(low, high)
    sign = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)
    return magnitude * sign


def record(name, fn, inputs, params=None, extra=None):
    """inputs: dict of tensors; those with requires_grad get gradients of sum(fn(...) * w)."""
    leaves = {k: v.clone().detach().requires_grad_(v.requires_grad) for k, v in inputs.items()}
    out = fn(**leaves)
    w = torch.empty(out.shape).uniform_(-1, 1)
    (out * w).sum().backward()
    tensors = dict(inputs)
    tensors["out"] = out
    tensors["w"] = w
    for k, v in leaves.items():
        if v.requires_grad:
            tensors["grad." + k] = v.grad
    tensors.update(extra or {})
    cases.append(case(name, tensors, params))


def rg(t):
    return t.requires_grad_(True)


# ---------------------------------------------------------------- unary
record("exp", lambda x: torch.exp(x), {"x": rg(torch.randn(3, 4))})
record("log", lambda x: torch.log(x), {"x": rg(torch.rand(3, 4) + 0.2)})
record("sqrt", lambda x: torch.sqrt(x), {"x": rg(torch.rand(3, 4) + 0.2)})
record("pow_3", lambda x: torch.pow(x, 3.0), {"x": rg(torch.randn(3, 4))}, {"exponent": 3.0})
record("pow_2", lambda x: torch.pow(x, 2.0), {"x": rg(torch.randn(3, 4))}, {"exponent": 2.0})
record("pow_neg_1_5", lambda x: torch.pow(x, -1.5), {"x": rg(torch.rand(3, 4) + 0.5)}, {"exponent": -1.5})
record("pow_0_5", lambda x: torch.pow(x, 0.5), {"x": rg(torch.rand(3, 4) + 0.5)}, {"exponent": 0.5})
record("abs", lambda x: torch.abs(x), {"x": rg(away_from_zero(3, 4))})
record("tanh", lambda x: torch.tanh(x), {"x": rg(torch.randn(3, 4) * 2)})
record("sigmoid", lambda x: torch.sigmoid(x), {"x": rg(torch.randn(3, 4) * 3)})
record("gelu", lambda x: F.gelu(x), {"x": rg(torch.randn(4, 5) * 2.5)})
record("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), {"x": rg(torch.randn(4, 5) * 2.5)})
clamp_x = away_from_zero(4, 5, low=0.1, high=1.2)
clamp_x = torch.where((clamp_x - 0.5).abs() < 0.05, clamp_x + 0.1, clamp_x)
record("clamp", lambda x: torch.clamp(x, -0.5, 0.5), {"x": rg(clamp_x)}, {"min": -0.5, "max": 0.5})
record("clamp_min", lambda x: torch.clamp(x, min=-0.5), {"x": rg(clamp_x.clone())}, {"min": -0.5})

# ---------------------------------------------------------------- reductions along a dimension
for dim, keep in [(0, False), (1, True), (-1, False)]:
    record(f"sum_dim{dim}_keep{int(keep)}", lambda x, d=dim, k=keep: torch.sum(x, d, keepdim=k),
           {"x": rg(torch.randn(3, 4, 5))}, {"dim": dim, "keepdim": keep})
    record(f"mean_dim{dim}_keep{int(keep)}", lambda x, d=dim, k=keep: torch.mean(x, d, keepdim=k),
           {"x": rg(torch.randn(3, 4, 5))}, {"dim": dim, "keepdim": keep})
    record(f"var_dim{dim}_keep{int(keep)}", lambda x, d=dim, k=keep: torch.var(x, d, keepdim=k),
           {"x": rg(torch.randn(3, 4, 5))}, {"dim": dim, "keepdim": keep})
for dim in [0, 1, -1]:
    x = torch.randn(3, 4, 5)
    values, indices = torch.max(x, dim)
    record(f"max_dim{dim}", lambda x, d=dim: torch.max(x, d).values, {"x": rg(x)},
           {"dim": dim, "indices": [int(i) for i in indices.reshape(-1).tolist()]})
# ties: the gradient goes to the first maximum
tie = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0]])
record("max_ties", lambda x: torch.max(x, 1).values, {"x": rg(tie)},
       {"dim": 1, "indices": [int(i) for i in torch.max(tie, 1).indices.tolist()]})

# ---------------------------------------------------------------- softmax
for dim in [0, 1, -1]:
    record(f"softmax_dim{dim}", lambda x, d=dim: torch.softmax(x, d), {"x": rg(torch.randn(3, 4, 5) * 3)}, {"dim": dim})
    record(f"log_softmax_dim{dim}", lambda x, d=dim: torch.log_softmax(x, d), {"x": rg(torch.randn(3, 4, 5) * 3)}, {"dim": dim})
# large logits: the max must be subtracted
record("softmax_large", lambda x: torch.softmax(x, -1), {"x": rg(torch.randn(2, 6) * 30 + 500)}, {"dim": -1})
record("log_softmax_large", lambda x: torch.log_softmax(x, -1), {"x": rg(torch.randn(2, 6) * 30 - 500)}, {"dim": -1})

# ---------------------------------------------------------------- losses
N, C = 6, 5
targets = [3, 0, -100, 4, 1, 3]
class_weights = torch.rand(C) + 0.5
for name, weight, smoothing, tgt in [
    ("ce_plain", None, 0.0, [3, 0, 2, 4, 1, 3]),
    ("ce_ignore", None, 0.0, targets),
    ("ce_weighted", class_weights, 0.0, targets),
    ("ce_smooth", None, 0.2, targets),
    ("ce_weighted_ignore_smooth", class_weights, 0.15, targets),
]:
    extra = {"class_weights": weight} if weight is not None else {}
    record(name, lambda x, t=tgt, wt=weight, s=smoothing: F.cross_entropy(x, torch.tensor(t), weight=wt, ignore_index=-100, label_smoothing=s),
           {"x": rg(torch.randn(N, C) * 2)}, {"targets": tgt, "label_smoothing": smoothing, "ignore_index": -100}, extra)

soft = torch.softmax(torch.randn(N, C) * 2, -1)
record("ce_soft", lambda x, target: F.cross_entropy(x, target), {"x": rg(torch.randn(N, C) * 2), "target": rg(soft.clone())},
       {"label_smoothing": 0.0})
record("ce_soft_smooth", lambda x, target: F.cross_entropy(x, target, label_smoothing=0.1),
       {"x": rg(torch.randn(N, C) * 2), "target": rg(soft.clone())}, {"label_smoothing": 0.1})
record("ce_soft_weighted_smooth", lambda x, target: F.cross_entropy(x, target, weight=class_weights, label_smoothing=0.1),
       {"x": rg(torch.randn(N, C) * 2), "target": rg(soft.clone())}, {"label_smoothing": 0.1}, {"class_weights": class_weights})

T = 4.0
record("kl_T4", lambda x, teacher: F.kl_div(F.log_softmax(x / T, -1), F.softmax(teacher / T, -1), reduction="batchmean"),
       {"x": rg(torch.randn(N, C) * 5), "teacher": rg(torch.randn(N, C) * 5)}, {"temperature": T})
record("kl_T1", lambda x, teacher: F.kl_div(F.log_softmax(x, -1), F.softmax(teacher, -1), reduction="batchmean"),
       {"x": rg(torch.randn(N, C) * 2), "teacher": torch.randn(N, C) * 2}, {"temperature": 1.0})

bce_targets = torch.rand(N, C)
pos_weight = torch.rand(C) * 3 + 0.2
record("bce", lambda x, target: F.binary_cross_entropy_with_logits(x, target),
       {"x": rg(torch.randn(N, C) * 3), "target": rg(bce_targets.clone())})
record("bce_pos_weight", lambda x, target: F.binary_cross_entropy_with_logits(x, target, pos_weight=pos_weight),
       {"x": rg(torch.randn(N, C) * 3), "target": rg(bce_targets.clone())}, None, {"pos_weight": pos_weight})
record("bce_extreme", lambda x, target: F.binary_cross_entropy_with_logits(x, target),
       {"x": rg(torch.tensor([[-80.0, 80.0, 30.0, -30.0]])), "target": torch.tensor([[1.0, 0.0, 0.5, 0.0]])})
record("mse", lambda x, target: F.mse_loss(x, target), {"x": rg(torch.randn(4, 3)), "target": rg(torch.randn(4, 3))})

# reductions other than the mean: "none" (per row / per element) and "sum"
for red in ["none", "sum"]:
    record(f"ce_weighted_ignore_smooth_{red}",
           lambda x, r=red: F.cross_entropy(x, torch.tensor(targets), weight=class_weights, ignore_index=-100, label_smoothing=0.15, reduction=r),
           {"x": rg(torch.randn(N, C) * 2)}, {"targets": targets, "label_smoothing": 0.15, "ignore_index": -100, "reduction": red},
           {"class_weights": class_weights})
    record(f"ce_soft_weighted_smooth_{red}", lambda x, target, r=red: F.cross_entropy(x, target, weight=class_weights, label_smoothing=0.1, reduction=r),
           {"x": rg(torch.randn(N, C) * 2), "target": rg(soft.clone())}, {"label_smoothing": 0.1, "reduction": red}, {"class_weights": class_weights})
    # Feynman's "none" for KL is per row (summed over classes), not PyTorch's elementwise "none".
    record(f"kl_T4_{red}",
           lambda x, teacher, r=red: (F.kl_div(F.log_softmax(x / T, -1), F.softmax(teacher / T, -1), reduction="none").sum(-1) if r == "none"
                                      else F.kl_div(F.log_softmax(x / T, -1), F.softmax(teacher / T, -1), reduction="sum")),
           {"x": rg(torch.randn(N, C) * 5), "teacher": rg(torch.randn(N, C) * 5)}, {"temperature": T, "reduction": red})
    record(f"bce_pos_weight_{red}", lambda x, target, r=red: F.binary_cross_entropy_with_logits(x, target, pos_weight=pos_weight, reduction=r),
           {"x": rg(torch.randn(N, C) * 3), "target": rg(bce_targets.clone())}, {"reduction": red}, {"pos_weight": pos_weight})
    record(f"mse_{red}", lambda x, target, r=red: F.mse_loss(x, target, reduction=r), {"x": rg(torch.randn(4, 3)), "target": rg(torch.randn(4, 3))},
           {"reduction": red})

# ---------------------------------------------------------------- joining and indexing
record("concat_dim1", lambda x0, x1, x2: torch.cat([x0, x1, x2], 1),
       {"x0": rg(torch.randn(2, 3, 2)), "x1": rg(torch.randn(2, 1, 2)), "x2": rg(torch.randn(2, 4, 2))}, {"dim": 1})
record("concat_dim0", lambda x0, x1: torch.cat([x0, x1], 0), {"x0": rg(torch.randn(2, 3)), "x1": rg(torch.randn(3, 3))}, {"dim": 0})
for dim in [0, 1, 2, -1]:
    record(f"stack_dim{dim}", lambda x0, x1, x2, d=dim: torch.stack([x0, x1, x2], d),
           {"x0": rg(torch.randn(2, 3)), "x1": rg(torch.randn(2, 3)), "x2": rg(torch.randn(2, 3))}, {"dim": dim})
gather_index = torch.tensor([[0, 2, 2, 1], [3, 3, 0, 0], [1, 1, 1, 2]])
record("gather_dim1", lambda x: torch.gather(x, 1, gather_index), {"x": rg(torch.randn(3, 4))},
       {"dim": 1, "index": gather_index.reshape(-1).tolist(), "index_shape": list(gather_index.shape)})
gather_index0 = torch.tensor([[2, 0], [2, 2]])
record("gather_dim0_smaller", lambda x: torch.gather(x, 0, gather_index0), {"x": rg(torch.randn(3, 4))},
       {"dim": 0, "index": gather_index0.reshape(-1).tolist(), "index_shape": list(gather_index0.shape)})
rep = [2, 0, 2, 2, 1]
record("index_select_dim0", lambda x: torch.index_select(x, 0, torch.tensor(rep)), {"x": rg(torch.randn(3, 4))}, {"dim": 0, "indices": rep})
record("index_select_dim1", lambda x: torch.index_select(x, 1, torch.tensor([3, 3, 0])), {"x": rg(torch.randn(2, 4, 3))},
       {"dim": 1, "indices": [3, 3, 0]})

# ---------------------------------------------------------------- embeddings
V, D = 7, 4
emb_idx = [[1, 5, 1], [0, 6, 3]]
record("embedding", lambda weight: F.embedding(torch.tensor(emb_idx), weight), {"weight": rg(torch.randn(V, D))},
       {"indices": [i for r in emb_idx for i in r], "indices_shape": [2, 3]})
record("embedding_padding", lambda weight: F.embedding(torch.tensor(emb_idx), weight, padding_idx=1), {"weight": rg(torch.randn(V, D))},
       {"indices": [i for r in emb_idx for i in r], "indices_shape": [2, 3], "padding_idx": 1})
bag_idx = [2, 4, 4, 1, 6, 0, 3, 2]
bag_offsets = [0, 3, 3, 5]  # bag 1 is empty
for mode in ["sum", "mean", "max"]:
    record(f"embedding_bag_{mode}", lambda weight, m=mode: F.embedding_bag(torch.tensor(bag_idx), weight, torch.tensor(bag_offsets), mode=m),
           {"weight": rg(torch.randn(V, D))}, {"indices": bag_idx, "offsets": bag_offsets, "mode": mode})
record("embedding_bag_sum_psw",
       lambda weight, psw: F.embedding_bag(torch.tensor(bag_idx), weight, torch.tensor(bag_offsets), mode="sum", per_sample_weights=psw),
       {"weight": rg(torch.randn(V, D)), "psw": rg(torch.rand(len(bag_idx)) + 0.5)}, {"indices": bag_idx, "offsets": bag_offsets, "mode": "sum"})

write("ops_a.json", cases)
