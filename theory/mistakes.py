"""Common mistakes in the written answers, with the deduction a TA applies (for the rubric).

Keyed by (assignment, the handout's label as in theory.written). Each row: what the mistake looks
like in a write-up, and the deduction. The wrong formulas behind several rows are the deliberate
wrong variants that the theory tests show to fail both proof and numeric check.
"""

WRITTEN_MISTAKES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("cs229br_hw0", "Q1.1"): (
        ("union bound over F forgotten (no log|F| term)", "-50%"),
        ("the loss range M dropped, or the bounded-loss bound applied to Gaussian labels "
         "without handling the tail", "-25%"),
    ),
    ("cs229br_hw0", "Q1.2"): (
        ("factor 2 vs 1/2: c = 1 claimed for the unhalved loss (c = 2 there; c = 1 is right "
         "only for the halved loss, which must be said)", "-25%"),
        ("'makes progress' asserted without the step-size condition 0 < eta < 1 "
         "(E[w_{t+1}] - w* = (1 - 2 eta)(E[w_t] - w*))", "-25%"),
    ),
    ("cs229br_hw0", "Q1.3 (2)"): (
        ("minimum norm argued without showing w_n lies in the row space of X", "-50%"),
    ),
    ("eecs182_hw7", "3(a)-(c)"): (
        ("mean without the factor d or without the square (both readings of the handout are "
         "right: ||mu||^2 for a mean vector, d mu^2 when every component has mean mu)",
         "-1 part"),
        ("variance without the (sigma^2)^2 d term, or the scale s not sqrt of the variance",
         "-1 part"),
    ),
    ("eecs182_hw7", "5(b)(i)-(iii)"): (
        ("feature map without the sqrt(2) on the cross terms (phi(q)^T phi(k) then misses "
         "the 2 q_i q_j k_i k_j terms)", "-50%"),
        ("constant term of (q^T k + 1)^2 forgotten in phi", "-25%"),
    ),
    ("eecs182_hw7", "2(b)"): (
        ("orthonormality claimed for any lambda (it needs lambda < sigma_k)", "-25%"),
    ),
    ("cmu10605_hw5", "1.1(b)"): (
        ("ReLU indicator 1[q_i > 0] dropped from dh_j/dq_i and dL/dq_i", "-3"),
    ),
    ("cmu10605_hw5", "1.2(c)"): (
        ("recurrence without the elementwise ReLU mask", "-4"),
    ),
    ("cmu10605_hw5", "1.2(b)"): (
        ("count without a stated convention (every convention in theory is right when "
         "named)", "-2"),
    ),
    ("comp499_a1", "1(a)"): (
        ("1/N of the cost dropped from the gradients", "-1"),
    ),
    ("comp499_a1", "5(c)"): (
        ("off by one in w_k: (I - alpha A)^(k+1) where the k-th iterate has power k", "-1"),
    ),
    ("csci5527_hw3", "P2(c)"): (
        ("C_w given as the Jacobian with respect to w (that is d(w * x)/dx; d/dw is C_x)",
         "-50%"),
    ),
}
