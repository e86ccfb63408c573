"""The comp499_a1 end-to-end tests' groups of wrong answers (from
graders/comp499_a1/mistakes.py, which the TA rubric lists too) and the shape of the fairness
tests' subtle mistakes.
"""

from dataclasses import dataclass

from tests.graders.notebooks import graded_index, replace_cells  # noqa: F401 - re-exported


@dataclass(frozen=True)
class Wrong:
    """A subtle mistake in `question` (tests/graders_comp499/variants.py): it keeps `kept` of
    the question's points and its tests' output contains every string of `says`."""

    question: str
    source: str
    says: tuple[str, ...]
    kept: float = 0.0


# Wrong answers graded together; each group touches each question at most once.
GROUPS = {
    "a": ("w1_missing_1_over_n", "one_sided_large_step", "transposed_jacobian",
          "tent_wrong_outside", "xavier_wrong_fan", "w_k_one_step_too_far", "minimizer_x_t_y"),
    "b": ("tanh_prime_is_1_minus_tanh", "boston_ten_epochs", "forward_mode_calls_backward",
          "benchmark_without_L10", "mean_of_abs_activation", "counts_of_the_modes_swapped"),
}
