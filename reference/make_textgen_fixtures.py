"""The text generator's model against PyTorch (run with /usr/bin/python3): Feynman.Text.Generation.ByteLanguageModel
rebuilt from torch modules with the same state-dict names (tok_emb, pos_emb, blocks.<i> as pre-norm GELU
TransformerEncoderLayers with a causal mask, norm, head), small: 2 classes (vocabulary 261), embed 16, 2 heads,
2 layers, ff 32, context 12. One case: the initial state dict ("init.<key>"), a batch of token windows ("tokens",
[2, 10], as floats) with targets ("targets", -100 = ignored), the logits ("logits"), the mean cross-entropy
("loss") and the gradient of every parameter ("grad.<key>").
Writes fixtures/text/byte_lm.json; tests/Feynman.Tests/Text/ByteLanguageModelFixtureTests.cs reads it.
"""
import torch
from torch import nn

import fixture_io
from fixture_io import case, write

torch.manual_seed(7)
# 8 significant digits keep the file small; the test compares to 1e-4.
fixture_io.tensor_entry = lambda t: {"shape": list(t.shape), "data": [float("%.8g" % v) for v in t.detach().float().reshape(-1).tolist()]}
VOCAB, CONTEXT, EMBED, HEADS, LAYERS, FF = 256 + 3 + 2, 12, 16, 2, 2, 32
EOS, BOS, UNLABELLED, FIRST_CLASS = 256, 257, 258, 259


class ByteLm(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(VOCAB, EMBED)
        self.pos_emb = nn.Parameter(torch.randn(CONTEXT, EMBED) * 0.02)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(EMBED, HEADS, FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
            for _ in range(LAYERS))
        self.norm = nn.LayerNorm(EMBED)
        self.head = nn.Linear(EMBED, VOCAB)

    def forward(self, tokens):
        t = tokens.shape[1]
        x = self.tok_emb(tokens) + self.pos_emb[:t]
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        for block in self.blocks:
            x = block(x, src_mask=mask)
        return self.head(self.norm(x))


model = ByteLm()
model.train()  # dropout is 0; training mode keeps PyTorch off its fused inference path
with torch.no_grad():
    model.tok_emb.weight.normal_(0, 0.02)
init = {f"init.{k}": v.clone() for k, v in model.state_dict().items()}

text0 = [ord(c) for c in "Buy now!"]
text1 = [ord(c) for c in "see you at"]
tokens = torch.tensor([
    [FIRST_CLASS + 1, BOS] + text0,                    # a window at the start: class, start, 8 bytes
    [UNLABELLED] + text1[1:],                           # a window from the middle of an unlabelled text
])
targets = torch.tensor([
    [-100] + text0 + [EOS],
    [-100] + text1[2:] + [EOS],
])
assert tokens.shape == (2, 10) and targets.shape == (2, 10)
logits = model(tokens)
loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), ignore_index=-100)
loss.backward()

tensors = dict(init)
tensors["tokens"] = tokens.float()
tensors["targets"] = targets.float()
tensors["logits"] = logits
tensors["loss"] = loss.reshape(1)
for name, p in model.named_parameters():
    tensors[f"grad.{name}"] = p.grad
write("text/byte_lm.json", [case("byte_lm", tensors, {"context": CONTEXT, "embed": EMBED, "heads": HEADS, "layers": LAYERS, "ff": FF})])
