"""cmu10605_hw5: the written section's questions with the handout's points (50 in all); all are
mathematics (claims in the cmu10605_backprop_* modules). Section 3 asks about collaboration and
has no expected answer."""

from theory.written import Explanation, WrittenQuestion, register

A = "cmu10605_hw5"

EXPLANATIONS = (
    Explanation(
        f"{A}.s3_collaboration", "3.1-3.3", "Help received, help given, code found",
        "Yes or no to each, with the details the handout asks for when the answer is yes.",
        ("each of the three questions answered; details given for every 'yes'",),
    ),
)

QUESTIONS = (
    WrittenQuestion(A, "1.1(a)", "dL/dp_j, dp_i/dW2_ik, dL/dW2_ik, dL/db2_i, dp_i/dh_j",
                    "derivation", "10", ("cmu10605_hw5.s1_1_twelve_terms",)),
    WrittenQuestion(A, "1.1(b)", "dh_j/dq_i, dL/dh_i, dL/dq_i", "derivation", "6",
                    ("cmu10605_hw5.s1_1_twelve_terms",)),
    WrittenQuestion(A, "1.1(c)", "dq_i/dW1_jk, dq_i/db1_j, dL/dW1_jk, dL/db1_i", "derivation",
                    "8", ("cmu10605_hw5.s1_1_twelve_terms",)),
    WrittenQuestion(A, "1.2(a)", "forward recurrence for L hidden layers", "derivation", "8",
                    ("cmu10605_hw5.s1_2_recurrences",)),
    WrittenQuestion(A, "1.2(b)", "forward operation count with widths 1; which dominates",
                    "derivation", "5", ("cmu10605_hw5.s1_2_op_counts",)),
    WrittenQuestion(A, "1.2(c)", "backpropagation recurrence", "derivation", "8",
                    ("cmu10605_hw5.s1_2_recurrences",)),
    WrittenQuestion(A, "1.2(d)", "backpropagation operation count with widths 1; which dominates",
                    "derivation", "5", ("cmu10605_hw5.s1_2_op_counts",)),
    WrittenQuestion(A, "3.1-3.3", "collaboration questions", "survey", None,
                    (f"{A}.s3_collaboration",)),
)

register(QUESTIONS, EXPLANATIONS)
