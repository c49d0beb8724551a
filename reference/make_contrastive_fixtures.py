#!/usr/bin/python3
"""NT-Xent (SimCLR, Chen et al. 2020) in PyTorch, for tests/Feynman.Tests/Autograd/ContrastiveLossTests.cs:
projections z [2N, D] whose rows i and i + N are two views of one sample, u = F.normalize(z), s = u u^T / tau,
the diagonal masked out, cross-entropy of each row against its partner; the loss (mean over 2N rows) and dL/dz.

    /usr/bin/python3 reference/make_contrastive_fixtures.py
"""
import torch
import torch.nn.functional as F

import fixture_io


def nt_xent(z, tau):
    m = z.shape[0]
    u = F.normalize(z, dim=1)
    s = u @ u.t() / tau
    s = s.masked_fill(torch.eye(m, dtype=torch.bool), float("-inf"))
    target = (torch.arange(m) + m // 2) % m
    return F.cross_entropy(s, target)


def run(name, n, d, tau, seed, scale=1.0):
    torch.manual_seed(seed)
    z = (torch.randn(2 * n, d) * scale).requires_grad_(True)
    loss = nt_xent(z, tau)
    loss.backward()
    return fixture_io.case(name, {"z": z, "loss": loss.reshape(1), "grad.z": z.grad}, {"tau": tau})


if __name__ == "__main__":
    fixture_io.write("ops/nt_xent.json", [
        run("n4_d5_tau0.5", 4, 5, 0.5, 0),
        run("n8_d16_tau0.1", 8, 16, 0.1, 1, scale=3.0),
        run("n1_d3_tau1", 1, 3, 1.0, 2),
        run("n16_d32_tau0.5", 16, 32, 0.5, 3),
    ])
