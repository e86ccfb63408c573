"""CS 229br HW0: the typed answers of the solution (theory/cs229br_sgd_expected_gradient.py
derives them)."""

# Q1.2: E[grad of (<w, x> - y)^2] = 2 E[x x^T] (w - w*) = 2 (w - w*) for x ~ N(0, I)
answer_c = "2"
