"""COMP 499/691 Assignment 1: gradients by hand, forward and reverse mode, networks built by hand,
initialization, and least squares.

Points follow the handout (93, plus 4 of extra credit in 5(c)). The pen-and-paper parts are manual
questions, worth 0 here and graded by hand: 1(a) 5 points, 2(e) 2 of its 4 points (the other 2 go
to the counts typed in its answer cell), 4(e) 2 points. 5(a)'s minimizer is typed in an answer
cell (1 of its 3 points).
"""

from graders.assignments import Assignment, Question

AUTOGRAD = ("torch.autograd", "torch.func", "functorch", ".backward")
NN_MODULES = ("torch.nn.Module", "torch.nn.Linear", "torch.nn.Sequential", "torch.nn.ModuleList",
              "torch.nn.Parameter")
READY_CHECKERS = ("torch.autograd", "torch.func", "functorch", ".backward",
                  "torch.testing", "scipy.optimize", "scipy.differentiate", "numpy.gradient",
                  "torch.gradient")
# 2(c) must not use reverse mode. Forward-mode AD is what it asks for, in any form:
# torch.func.jvp/jacfwd, torch.autograd.forward_ad, or a Jacobian asked for with
# strategy="forward-mode" (torch.autograd.functional.jvp is reverse mode inside: a double backward)
REVERSE_MODE = ("torch.autograd.grad", "torch.autograd.backward",
                "torch.autograd.functional[strategy=forward-mode]", "torch.func.jacrev",
                "torch.func.vjp", "torch.func.grad", "torch.func.grad_and_value",
                "torch.func.hessian", "functorch.jacrev", "functorch.vjp", "functorch.grad",
                "functorch.grad_and_value", "functorch.hessian", "torch.Tensor.backward",
                ".backward")
FORWARD_MODE = ("torch.func.jacfwd", "torch.func.jvp", "torch.autograd.forward_ad",
                "torch.autograd.functional.jvp")
SOLVERS = ("numpy.linalg.lstsq", "scipy.linalg.lstsq", "torch.linalg.lstsq", "sklearn",
           "scipy.optimize")
FITTING = ("torch.optim", "sklearn", "scipy.optimize")

ASSIGNMENT = Assignment(
    id="comp499_a1",
    title="COMP 499/691 Assignment 1: gradients, automatic differentiation, initialization",
    notebook="a1.ipynb",
    # measured with the CPU torch build (benchmarks/README.md): 789 MiB at the peak, the
    # solution's kernel alone ~620 MiB (a plain run of the notebook: 654 MiB)
    memory=(1024, "the notebook trains the Boston and MNIST models in the kernel while the "
                  "grader trains the reference ones beside it"),
    questions=(
        Question("q1a", "1.1w", "Q1(a) written: the five gradients of J (5 points, by hand)", 0.0,
                 manual=True),
        Question("q1b", "1.2", "Q1(b) log-cosh network and its gradients by hand", 8.0,
                 ("net_forward", "logcosh_cost", "net_gradients"), AUTOGRAD + NN_MODULES),
        Question("q1c", "1.3", "Q1(c) central finite differences", 8.0, ("numerical_gradient",),
                 READY_CHECKERS),
        Question("q1d", "1.4", "Q1(d) training on the Boston housing data", 5.0,
                 ("train_boston",)),
        Question("q2b", "2.2", "Q2(b) Jacobian by reverse mode", 5.0,
                 ("mlp_forward", "jacobian_reverse"), FORWARD_MODE),
        Question("q2c", "2.3", "Q2(c) Jacobian by forward mode", 12.0, ("jacobian_forward",),
                 REVERSE_MODE),
        Question("q2d", "2.4", "Q2(d) benchmark of the two modes", 4.0, ("benchmark_jacobians",)),
        Question("q2e", "2.5w", "Q2(e) written: operation counts of the two modes (2 of its 4 "
                 "points, by hand)", 0.0, manual=True),
        Question("q2e_counts", "2.5v", "Q2(e) answer cell: the two operation counts (2 of its 4 "
                 "points)", 2.0),
        Question("q3_xnor", "3.1", "Q3.1 a network for XNOR", 3.0, ("xnor_network",), FITTING),
        Question("q3_tent", "3.2", "Q3.2 a network for the tent function", 4.0, ("tent_network",),
                 FITTING),
        Question("q3_soft", "3.3", "Q3.3 a network for soft thresholding", 4.0,
                 ("soft_threshold_network",), FITTING),
        Question("q3_why", "3.4w", "Q3 written: how each network was found (part of 3.1-3.3)", 0.0,
                 manual=True),
        Question("q4a", "4.1", "Q4(a) my_model(depth)", 5.0, ("my_model",)),
        Question("q4b", "4.2", "Q4(b) uniform and Xavier initialization", 2.0, ("init_weights",)),
        Question("q4c", "4.3", "Q4(c) activations and gradients per layer", 8.0,
                 ("layer_statistics", "plot_layer_statistics")),
        Question("q4d", "4.4", "Q4(d) training with each initialization", 8.0,
                 ("train_model", "plot_accuracy")),
        Question("q4e", "4.5w", "Q4(e) written: what depth and initialization do (2 points, by "
                 "hand)", 0.0, manual=True),
        Question("q5a", "5.1", "Q5(a) gradient and minimizer of least squares", 2.0,
                 ("ls_gradient", "ls_minimizer"), SOLVERS),
        Question("q5a_minimizer", "5.1v", "Q5(a) answer cell: the minimizer in closed form", 1.0),
        Question("q5b", "5.2", "Q5(b) the first two gradient-descent iterates", 3.0,
                 ("gd_first_iterates",), SOLVERS),
        Question("q5c", "5.3", "Q5(c) extra credit: w_k in closed form", 4.0, ("gd_iterate",),
                 SOLVERS, extra_credit=True),
    ),
)
