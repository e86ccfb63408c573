"""Code the grader sends into the student's kernel (as source, never imported there): CUDA numerics
as the checks assume them.

The checks' tolerances are calibrated on the CPU. On Ampere and newer GPUs torch computes float32
matmuls and convolutions in TF32 by default (about 1e-3 relative error), and cuDNN may pick
non-deterministic algorithms; either would fail correct student code. `__dlgrade_exact_cuda__()`
turns both off when the notebook has imported torch, and does nothing otherwise: it never imports
torch itself (a notebook without torch keeps a small kernel). It is cheap, so it can run after the
notebook and again before each probe (a function may import torch only when it is called).
"""


def __dlgrade_exact_cuda__():  # a dunder name keeps it out of the student's way
    torch = __import__("sys").modules.get("torch")
    if torch is None:
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
