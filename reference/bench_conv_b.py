"""PyTorch side of bench/ConvBench: forward + backward of the benchmark CNN's conv layers at batch 128.

Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 reference/bench_conv_b.py [steps]
"""
import sys
import time

import torch
import torch.nn.functional as F

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
torch.manual_seed(1)
x = torch.randn(128, 1, 28, 28)
w1 = (torch.randn(32, 1, 3, 3) * 0.3).requires_grad_()
b1 = torch.zeros(32, requires_grad=True)
w2 = (torch.randn(64, 32, 3, 3) * 0.06).requires_grad_()
b2 = torch.zeros(64, requires_grad=True)
g = torch.randn(128, 64, 7, 7)


def step():
    t = time.perf_counter()
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
    h.backward(g)
    return (time.perf_counter() - t) * 1000


for _ in range(5):
    step()
cpu = time.process_time()
times = sorted(step() for _ in range(steps))
cpu = (time.process_time() - cpu) * 1000 / steps
print(f"torch {torch.__version__}, threads {torch.get_num_threads()}: median {times[len(times) // 2]:.2f} ms, best {times[0]:.2f} ms over {steps} steps, cpu {cpu:.2f} ms/step")
