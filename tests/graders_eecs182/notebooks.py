"""Notebook variants for the eecs182_hw7 end-to-end tests.

The wrong answers are the assignment's typical mistakes (graders/eecs182_hw7/mistakes.py); each
right one is a different but correct reading, a short, independent implementation (none copied
from reference/). A variant replaces the whole graded cell of its question; a right answer
cell's variant is the text typed.
"""

import copy
from dataclasses import dataclass

import nbformat

from graders.eecs182_hw7.mistakes import MISTAKES
from tests.graders.notebooks import replace_cells
from theory.answer_keys import KEYS

# The typed answers of the solution (until theory.answer_keys holds eecs182_hw7's keys and
# `dlgrade solve` fills them itself).
ANSWERS = {key.question: key.expected for key in KEYS if key.assignment == "eecs182_hw7"}


def with_answers(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of `nb` whose answer cells assign the given texts."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        question = cell.metadata.get("dlgrade", {}).get("answer")
        if question in answers:
            cell.source = f"answer_{question} = {answers[question]!r}"
    return nb


def variant(nb: nbformat.NotebookNode, names) -> nbformat.NotebookNode:
    """`nb` with the cells (or answers) of the named variants of VARIANTS replaced."""
    chosen = [VARIANTS[name] for name in names]
    nb = replace_cells(nb, {v.cell or v.question: v.source for v in chosen if not v.answer})
    return with_answers(nb, {v.question: v.source for v in chosen if v.answer})


@dataclass(frozen=True)
class Variant:
    """An answer to `question` (an answer cell's text when `answer`; the graded cell of `cell`
    when the question has none of its own): wrong ones keep `kept` of its points and their
    tests' output contains every string of `says`; right ones (right=True) keep all."""

    question: str
    source: str
    says: tuple[str, ...] = ()
    right: bool = False
    answer: bool = False
    kept: float = 0.0
    cell: str = ""


# The typical mistakes of graders/eecs182_hw7/mistakes.py (which the TA rubric lists too), then
# answers that are correct but not in the reference's form.
VARIANTS = {name: Variant(m.question, m.source, m.says, kept=m.kept, cell=m.cell)
            for name, m in MISTAKES.items()} | {
    "modulelist_autoencoder": Variant("q1a_models", '''
class AutoEncoder(nn.Module):
    def __init__(self, in_dim, latent_dim):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(in_dim, 64), nn.Linear(64, latent_dim),
                                     nn.Linear(latent_dim, 64), nn.Linear(64, in_dim)])

    def encode(self, x):
        return self.layers[1](torch.relu(self.layers[0](x)))

    def decode(self, z):
        return self.layers[3](torch.relu(self.layers[2](z)))

    def forward(self, x):
        return self.decode(self.encode(x))

    def loss(self, x):
        return ((self(x) - x) ** 2).mean()
''', right=True),
    "float_mask": Variant("q1a_mask", '''
class MaskedAutoEncoder(AutoEncoder):
    def __init__(self, in_dim, latent_dim, mask_ratio=0.5):
        super().__init__(in_dim, latent_dim)
        self.mask_ratio = mask_ratio

    def loss(self, x):
        keep = (torch.rand(x.shape) >= self.mask_ratio).float()  # 1 = visible
        squared = (self.decode(self.encode(x * keep)) - x) ** 2
        return (squared * (1 - keep)).sum() / (1 - keep).sum()
''', right=True),
    "phi_reordered": Variant("q5b_phi", '''
def quadratic_feature_map(X):
    d = X.shape[1]
    rows, cols = torch.triu_indices(d, d, offset=1)
    return torch.cat([X**2, 2**0.5 * X[:, rows] * X[:, cols], 2**0.5 * X,
                      torch.ones_like(X[:, :1])], dim=1)
''', right=True),
    "numpy_monte_carlo": Variant("q3_mc", '''
def dot_product_stats(d, mu=0.0, sigma=1.0, samples=100_000, seed=0):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(mu, sigma, (2, samples, d))
    dots = np.einsum("sd,sd->s", q, k)
    return float(dots.mean()), float(dots.var(ddof=1))
''', right=True),
    "answers_other_spelling": Variant("q2a_iii", "sgd optimizer; weight decay", right=True,
                                      answer=True),
}

# Variants graded together: each touches each question at most once.
GROUPS = {
    "a": ("noise_on_target", "mask_after_encoder", "probe_not_frozen", "transposed_w2_gradient",
          "no_weight_decay", "hard_coded_monte_carlo", "argmax_is_softmax", "phi_without_sqrt2",
          "eq8_wrong_axis", "no_one_over_steps", "zero_grad_once", "layernorm_fails",
          "variance_d_squared", "modulelist_autoencoder"),
    "b": ("probe_fits_test_split", "phi_reordered", "float_mask", "numpy_monte_carlo",
          "answers_other_spelling", "linear_attention_is_eq6", "loss_summed_not_averaged"),
}
