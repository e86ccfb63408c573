"""10-605 HW5: backpropagation by hand and its cost (Section 1), neural style transfer (Part A)
and optimizers for linear regression (Part B), in one notebook, hw5.ipynb.

Points follow the handout: written 50, programming 50. The written parts graded by hand are manual
questions with the handout's points (1.1(a)-(c): 10, 6, 8; 1.2(a), (c): 8 each); 1.2(b) and (d)
(5 each) are typed answers checked by theory/'s answer checker. Programming: Section 1 in code 10
(the twelve terms 4, the L-layer forward pass 2, its backward pass 4), Part A 20, Part B 20.
"""

from graders.assignments import BUILDS_OPTIMIZERS, Assignment, Question

AUTOGRAD = ("torch.autograd", "torch.func", "functorch", ".backward")
READY_OPTIMIZERS = ("torch.optim",)

ASSIGNMENT = Assignment(
    id="cmu10605_hw5",
    title="10-605 HW5: backpropagation, neural style transfer, optimizers",
    notebook="hw5.ipynb",
    questions=(
        Question("s11a", "1.1aw", "1.1(a) written, dL/dp, dp/dW2, dL/dW2, dL/db2, dp/dh", 10.0,
                 manual=True),
        Question("s11b", "1.1bw", "1.1(b) written, dh/dq, dL/dh, dL/dq", 6.0, manual=True),
        Question("s11c", "1.1cw", "1.1(c) written, dq/dW1, dq/db1, dL/dW1, dL/db1", 8.0,
                 manual=True),
        Question("s11_code", "1.1", "1.1 in code, the twelve terms", 4.0, ("twelve_terms",),
                 AUTOGRAD),
        Question("s12a", "1.2aw", "1.2(a) written, the forward recurrence", 8.0, manual=True),
        Question("s12_forward", "1.2.1", "1.2(a) in code, the forward pass of L layers", 2.0,
                 ("mlp_forward",)),
        Question("s12b", "1.2.2", "1.2(b) the forward pass's operation count and what dominates",
                 5.0),
        Question("s12b_why", "1.2bw", "1.2(b) written, how the count was made (for the rubric)",
                 0.0, manual=True),
        Question("s12c", "1.2cw", "1.2(c) written, the backward recurrence", 8.0, manual=True),
        Question("s12_backward", "1.2.3", "1.2(c) in code, backpropagation through L layers", 4.0,
                 ("mlp_backward",), AUTOGRAD),
        Question("s12d", "1.2.4", "1.2(d) backpropagation's operation count and what dominates",
                 5.0),
        Question("s12d_why", "1.2dw", "1.2(d) written, how the count was made (for the rubric)",
                 0.0, manual=True),
        Question("pa_process", "2.1", "Part A, preprocess and deprocess", 3.0,
                 ("preprocess", "deprocess")),
        Question("pa_model", "2.2", "Part A, content and style layers, the VGG19 extractor", 3.0,
                 ("CONTENT_LAYERS", "STYLE_LAYERS", "get_model")),
        Question("pa_content", "2.3", "Part A, content loss", 2.0, ("compute_content_loss",)),
        Question("pa_gram", "2.4", "Part A, Gram matrix", 3.0, ("gram_matrix",)),
        Question("pa_style", "2.5", "Part A, style loss", 2.0, ("compute_style_loss",)),
        Question("pa_total", "2.6", "Part A, features and the total loss", 3.0,
                 ("compute_features", "calculate_loss")),
        Question("pa_loop", "2.7", "Part A, the optimization loop", 4.0, ("run_style_transfer",)),
        Question("pb_gd", "3.1", "Part B, gradient descent", 4.0, ("run_gd",), READY_OPTIMIZERS,
                 preload=BUILDS_OPTIMIZERS),
        Question("pb_sgd", "3.2", "Part B, stochastic gradient descent", 5.0, ("run_sgd",),
                 READY_OPTIMIZERS, preload=BUILDS_OPTIMIZERS),
        Question("pb_adagrad", "3.3", "Part B, AdaGrad", 5.0, ("run_adagrad",), READY_OPTIMIZERS,
                 preload=BUILDS_OPTIMIZERS),
        Question("pb_adam", "3.4", "Part B, Adam", 6.0, ("run_adam",), READY_OPTIMIZERS,
                 preload=BUILDS_OPTIMIZERS),
    ),
)
