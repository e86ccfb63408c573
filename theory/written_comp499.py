"""comp499_a1: the written questions with the handout's points and the expected answers of its
explanations. Mathematics: claims in comp499_gradients, comp499_jacobian_cost, comp499_networks
and comp499_least_squares; Q2(e)'s counts and Q5(a)'s minimizer are also answer cells."""

from theory.written import Explanation, WrittenQuestion, register

A = "comp499_a1"

EXPLANATIONS = (
    Explanation(
        f"{A}.q2e_discussion", "2(e)", "Forward versus reverse mode, in theory",
        "With c = K D + (L - 1) K^2 + P K the cost of one forward pass, forward mode carries D "
        "tangent columns through every layer and costs about (1 + D) c; reverse mode pulls P "
        "cotangent rows back and costs about (1 + P) c. Their ratio (1 + D)/(1 + P) depends "
        "only on the input and output sizes: with D = 2 < P = 10 forward mode needs 3/11 of the "
        "operations, for every depth L. Measured times can disagree (kernel launch overheads, "
        "Python loops, GPU parallelism), which the discussion should note.",
        ("forward mode cost proportional to D (input size), reverse to P (output size)",
         "both linear in the depth L, so the ratio does not depend on L",
         "here D = 2 < P = 10: forward mode is cheaper in operations (ratio (1 + D)/(1 + P))",
         "comparison with the timings of (d), and why they may differ"),
    ),
    Explanation(
        f"{A}.q3_justification", "3.1-3.3", "How each network was found",
        "For each network, the reasoning that gives its weights without software: XNOR as "
        "ReLU(x1 + x2 - 1) + ReLU(1 - x1 - x2), i.e. 'both on' plus 'both off' (or AND/NOR "
        "units with steep sigmoids); the tent as 2 ReLU(x) - 4 ReLU(x - 1/2) + 2 ReLU(x - 1); soft "
        "thresholding as ReLU(x - s) - ReLU(-x - s).",
        ("each network's weights derived by hand, with the reason for each unit",
         "a check on the key inputs (the four XNOR inputs; the tent's kinks at 0, 1/2, 1; "
         "the soft threshold at +-s)"),
    ),
    Explanation(
        f"{A}.q4e_findings", "4(e)", "What depth and initialization do",
        "With d = 0.01 (and to a lesser degree 0.1) every layer shrinks its input, so "
        "activations and gradients decay towards 0 with depth (vanishing), and training is "
        "slow or stalls. With d = 2.0 the pre-activations are large, tanh saturates at +-1, "
        "tanh' is near 0 and gradients vanish too, and training is poor or unstable. Xavier "
        "initialization keeps the activation variance and the gradient norms roughly constant "
        "across the 8 layers, and converges fastest to the best accuracy. Depth compounds "
        "each effect layer after layer.",
        ("small d: activations and gradients shrink with depth (vanishing), slow learning",
         "large d: tanh saturates, gradients vanish through tanh', poor training",
         "Xavier: activations and gradients keep their scale across layers, best convergence",
         "depth multiplies the per-layer effect; the plots of (c)/(d) are cited"),
    ),
)

QUESTIONS = (
    WrittenQuestion(A, "1(a)", "the five gradients of J", "derivation", "5",
                    ("comp499_a1.q1a_logcosh_gradients",)),
    WrittenQuestion(A, "2(e)", "theoretical speed of reverse vs forward mode", "derivation",
                    "4 pt: 2 answer cell + 2 by hand",
                    ("comp499_a1.q2e_jacobian_cost", "answer:q2e_counts",
                     f"{A}.q2e_discussion")),
    WrittenQuestion(A, "3.1", "a network for XNOR, justified", "derivation", "3",
                    ("comp499_a1.q3_xnor", f"{A}.q3_justification")),
    WrittenQuestion(A, "3.2", "a network for the tent function, justified", "derivation", "4",
                    ("comp499_a1.q3_tent", f"{A}.q3_justification")),
    WrittenQuestion(A, "3.3", "a network for soft thresholding, justified", "derivation", "4",
                    ("comp499_a1.q3_soft_threshold", f"{A}.q3_justification")),
    WrittenQuestion(A, "4(e)", "how depth and initialization affect training", "explanation",
                    "2", (f"{A}.q4e_findings",)),
    WrittenQuestion(A, "5(a)", "gradient and minimizer of least squares", "derivation",
                    "3 pt: 1 answer cell + 2 code",
                    ("comp499_a1.q5_least_squares", "answer:q5a_minimizer")),
    WrittenQuestion(A, "5(b)", "the iterates w_1 and w_2", "derivation", "3",
                    ("comp499_a1.q5_least_squares",)),
    WrittenQuestion(A, "5(c)", "w_k in closed form (extra credit)", "derivation",
                    "4 pt extra credit",
                    ("comp499_a1.q5_least_squares",)),
)

register(QUESTIONS, EXPLANATIONS)
