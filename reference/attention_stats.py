"""Why attention scales q^T k by 1/sqrt(d) (EECS 182 HW7, Question 3): Monte Carlo estimates of
the mean and variance of q^T k for independent q, k ~ N(mu, sigma^2 I_d).

The closed forms (theory.eecs182_dot_product) are E[q^T k] = d mu^2 and
Var(q^T k) = d sigma^4 + 2 d sigma^2 mu^2 for a mean mu in every coordinate.
"""

import math

import torch


def dot_product_stats(d, mu=0.0, sigma=1.0, samples=100_000, seed=0):
    """(sample mean, sample variance) of q^T k over `samples` independent draws of q and k,
    each (d,) with N(mu, sigma^2) entries."""
    g = torch.Generator().manual_seed(seed)
    q = mu + sigma * torch.randn(samples, d, generator=g, dtype=torch.float64)  # (S, d)
    k = mu + sigma * torch.randn(samples, d, generator=g, dtype=torch.float64)
    dots = (q * k).sum(1)  # (S,)
    return dots.mean().item(), dots.var().item()


def dot_product_scale(d):
    """The s that gives s q^T k mean 0 and variance 1 when mu = 0, sigma = 1."""
    return 1 / math.sqrt(d)
