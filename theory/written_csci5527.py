"""csci5527_hw3: the written parts (each shares its handout points, out of 15, with code) and the
expected answers of its explanations. Mathematics: claims in csci5527_xcorr; P2(a)'s value is
also an answer cell."""

from theory.written import Explanation, WrittenQuestion, register

A = "csci5527_hw3"

EXPLANATIONS = (
    Explanation(
        f"{A}.p2a_relation", "P2(a)", "How x * y and y * x relate",
        "They are not equal in general (the example gives [4, 14, 27, 33, 27, 27] and its "
        "reverse), but y * x is x * y read backwards: (y * x)_m = (x * y)_{n1+n2-m}. Swapping the "
        "arguments swaps which vector slides, which runs the same overlaps in the opposite "
        "order.",
        ("not commutative, with a counterexample (the worked example)",
         "y * x is the reversal (flip) of x * y, entry by entry",
         "a reason: the same overlaps in the opposite order"),
    ),
    Explanation(
        f"{A}.p2e_gradient_magnitude", "P2(e)", "Does the result look like the gradient magnitude",
        "Yes: X1 and X2 are Scharr-type derivative filters (horizontal and vertical), so "
        "sqrt(G1^2 + G2^2) is large on edges and small on flat regions, like the gradient "
        "magnitude image of scipy's example, up to a constant scale. It differs at the borders, "
        "where the full cross-correlation pads with zeros and makes a strong artificial edge "
        "(and the full output is larger by the filter size minus one).",
        ("yes, it matches the gradient-magnitude image (edges bright, flat regions dark)",
         "why: X1, X2 approximate the derivatives in x and y (Scharr filters)",
         "the boundary differs: zero padding of the full mode creates artificial edges"),
    ),
    Explanation(
        f"{A}.p3_eps", "P3", "Why the built-in normalizations add eps",
        "To avoid dividing by zero or by a tiny number: a slice whose values are all equal (a "
        "constant channel, a single value, dead ReLUs) has variance 0, and a near-zero variance "
        "would blow up the output and its gradients. eps > 0 keeps the denominator "
        "sqrt(var + eps) away from 0 and the operation numerically stable.",
        ("the slice variance can be zero or tiny (constant slices, one element, low precision)",
         "dividing by it gives inf/NaN or huge values and gradients",
         "eps bounds the denominator below by sqrt(eps): numerical stability"),
    ),
    Explanation(
        f"{A}.p4a_strategy", "P4(a)", "The transfer-learning strategy chosen, and why",
        "A pipeline with a stated choice among the three strategies, justified by the data: "
        "the chest X-ray set is small and far from ImageNet, so either freeze the early "
        "convolutional layers (generic edges and textures) and fine-tune the later ones plus a "
        "new two-class head, or fine-tune everything briefly with a small learning rate; "
        "training the borrowed architecture from scratch needs more data. Class imbalance is "
        "handled (class weights in the loss, or sampling) and the choice is backed by "
        "validation results.",
        ("a pretrained model with a new two-class head",
         "which layers are frozen or fine-tuned, with the learning rate and number of steps",
         "a justification from data size and domain distance (X-rays vs ImageNet)",
         "imbalance handled (weighted loss or resampling); validation evidence for the choice"),
        also_right="Any of the three strategies earns full credit when it is justified and "
                   "evaluated; the point is the reasoning, not one right answer.",
    ),
)

QUESTIONS = (
    WrittenQuestion(A, "P2(a)", "[3,2,1] * [4,6,3,9]; is x * y = y * x; how they relate",
                    "derivation", "part of 1/15 (0.25 answer cell)",
                    ("csci5527_hw3.p2a_example_and_reversal", "answer:p2a_value",
                     f"{A}.p2a_relation")),
    WrittenQuestion(A, "P2(b)", "the matrix C_w", "derivation", "1/15",
                    ("csci5527_hw3.p2b_matrix_cw",)),
    WrittenQuestion(A, "P2(c)", "the Jacobian of w * x with respect to w", "derivation", "1/15",
                    ("csci5527_hw3.p2c_jacobian_cx",)),
    WrittenQuestion(A, "P2(e)", "does the result look like the gradient magnitude",
                    "explanation", "part of 1/15", (f"{A}.p2e_gradient_magnitude",)),
    WrittenQuestion(A, "P3", "why the built-in functions add eps", "explanation",
                    "part of 1.5/15", (f"{A}.p3_eps",)),
    WrittenQuestion(A, "P4(a)", "transfer-learning strategy", "explanation", "part of 1/15",
                    (f"{A}.p4a_strategy",)),
)

register(QUESTIONS, EXPLANATIONS)
