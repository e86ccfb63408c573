"""eecs182_hw7: the written questions (the handout gives no points) and the expected answers of
its explanations and choices. Mathematics: claims in the eecs182_autoencoder_* modules,
eecs182_dot_product, eecs182_kernel_attention, eecs182_attention_cost and eecs182_argmax. Q7 asks
about the student's own process and has no expected answer."""

from theory.written import Explanation, WrittenQuestion, register

A = "eecs182_hw7"

EXPLANATIONS = (
    Explanation(
        f"{A}.p1a_i_visualization", "1(a)(i)", "Reconstructions for several latent sizes",
        "The figure from the notebook: inputs next to the vanilla autoencoder's reconstructions "
        "for each latent size tried, labelled by size.",
        ("one reconstruction panel per latent size, labelled",
         "small latent sizes visibly blurrier than large ones"),
    ),
    Explanation(
        f"{A}.p1a_ii_latent_size", "1(a)(ii)", "What the latent size does",
        "A larger latent space keeps more information, so the reconstruction error falls as it "
        "grows. Linear-probe accuracy rises with it at first, since a tiny bottleneck discards "
        "what separates the classes, then levels off or drops: a wide code can copy the input "
        "(close to the identity) without having to learn compact, class-relevant features.",
        ("reconstruction improves (error decreases) with the latent size",
         "probe accuracy: low for very small codes (information lost in the bottleneck)",
         "probe accuracy saturates or degrades for large codes: less compression, the code "
         "approaches the identity and need not be semantic",
         "the trade-off: compression forces useful structure, too much compression loses it"),
    ),
    Explanation(
        f"{A}.p2a_i_layers", "2(a)(i)", "How many linear layers",
        "2: the encoder W1 (m -> k) and the decoder W2 (k -> m), both without bias, trained to "
        "output their own input.",
        ("two nn.Linear layers, no bias, no nonlinearity between them",
         "the target is the input itself (self-supervision)"),
    ),
    Explanation(
        f"{A}.p2a_ii_loss", "2(a)(ii)", "Which loss",
        "nn.MSELoss: the objective is a squared Frobenius reconstruction error (MSELoss averages "
        "it, which only rescales lambda).",
        ("MSE, because (3) is a sum of squared errors",
         "the mean instead of the sum only rescales the weight-decay coefficient"),
    ),
    Explanation(
        f"{A}.p2a_iii_needed", "2(a)(iii)", "What is needed to optimize (3) as written",
        "Weight decay and the SGD optimizer: weight decay adds exactly the gradient of "
        "lambda (||W1||_F^2 + ||W2||_F^2) (weight_decay = 2 lambda for SGD, rescaled to match "
        "the loss's averaging); dropout and the normalization layers would change the "
        "objective.",
        ("Weight Decay: it is the l2 penalty of (3)",
         "SGD optimizer: training points one at a time, as the question asks",
         "not Dropout, Layer Norm or Batch Norm: each changes the function or the objective"),
    ),
    Explanation(
        f"{A}.p4b_argmax_gradients", "4(b)", "Why argmax attention is hard to train",
        "argmax is piecewise constant: its output does not change under small changes of the "
        "scores, so its gradient with respect to the scores is zero almost everywhere (and "
        "undefined at ties). No gradient reaches the queries or the keys through the attention "
        "weights, so they cannot learn which positions to attend to; only the values (and the "
        "layers after them) get gradients. Softmax is a smooth relaxation that lets gradients "
        "flow to queries and keys.",
        ("argmax is not differentiable / has zero gradient almost everywhere",
         "hence no gradient to the query and key projections: they are not learned",
         "values still receive gradients; softmax fixes this by being smooth"),
    ),
    Explanation(
        f"{A}.p5a_similarity", "5(a)", "What sim must satisfy",
        "For the weights sim(Q_i, K_j) / sum_j sim(Q_i, K_j) to be finite for every input, the "
        "denominator must never vanish: the simplest sufficient condition, and the one the "
        "linear-attention paper uses, is a non-negative similarity, sim(q, k) >= 0, with a "
        "positive sum over the keys (e.g. sim(q, k) > 0, as exp(q^T k / sqrt(D)) is). "
        "Non-negativity also makes V'_i a convex combination of the values.",
        ("the denominator sum_j sim(Q_i, K_j) must be nonzero (positive) for every i",
         "sim(q, k) >= 0 for all q, k (a non-negative kernel), so terms cannot cancel",
         "at least one positive term per row, e.g. a strictly positive sim such as exp"),
        also_right="Stating 'sim(q, k) > 0 for all q, k' alone earns full credit; so does a "
                   "kernel with a non-negative feature map (phi >= 0) and phi(q) != 0.",
    ),
    Explanation(
        f"{A}.p6a_degradation", "6(a)", "Why the 56-layer network trains worse",
        "It is not overfitting (the training error is higher too): the deeper plain network is "
        "harder to optimize. Gradients vanish or explode through many layers and the loss "
        "surface is badly conditioned, so SGD does not find even the solution the 20-layer "
        "network represents (the deep net could copy it with identity layers). Residual "
        "connections (ResNet) make identity easy and let gradients flow; batch normalization "
        "and careful (He/Xavier) initialization help as well.",
        ("training error is higher too: an optimization problem, not overfitting",
         "vanishing/exploding gradients and poor conditioning in deep plain networks",
         "fix: skip/residual connections; also normalization layers and good initialization"),
    ),
    Explanation(
        f"{A}.p6b_batchnorm_accumulation", "6(b)", "Which model fails the accumulation test",
        "The batch-norm model. In training mode batch norm normalizes with the mean and "
        "variance of the micro-batch it sees, so with batch sizes 1, 2, ..., 16 its outputs "
        "(and gradients) differ from those of one batch of 32 (with batch size 1 the variance "
        "is even zero). Layer norm normalizes each example over its own features, independently "
        "of the other examples, so every (batch size, steps) split gives the same logits.",
        ("batch norm does not pass; layer norm does",
         "batch statistics depend on the micro-batch, so accumulation does not reproduce "
         "the batch-32 computation",
         "layer norm's statistics are per example, independent of the batch size"),
    ),
    Explanation(
        f"{A}.p6c_missing_zero_grad", "6(c)", "Why training diverges, and the fix",
        "optimizer.zero_grad() is called once, before the loop, so .backward() keeps adding "
        "every batch's gradient to the previous ones: the step grows with the number of "
        "iterations and training diverges. Call optimizer.zero_grad() in every iteration "
        "(before loss.backward(), or after optimizer.step()).",
        ("gradients accumulate across iterations because they are never zeroed",
         "the effective step keeps growing, so the loss diverges",
         "fix: optimizer.zero_grad() inside the loop, each iteration"),
    ),
    Explanation(
        f"{A}.p7_process", "7(a)-(c)", "Sources, collaborators, hours",
        "Any honest answer: the sources used, the people worked with, the hours spent.",
        ("answered (content not graded)",),
    ),
)

QUESTIONS = (
    WrittenQuestion(A, "1(a)(i)", "visualization for several latent sizes", "report", None,
                    (f"{A}.p1a_i_visualization",)),
    WrittenQuestion(A, "1(a)(ii)", "effect of the latent size on reconstruction and probe",
                    "explanation", None, (f"{A}.p1a_ii_latent_size",)),
    WrittenQuestion(A, "1(b)(i)-(ii)", "first-order conditions; U_k satisfies them", "proof",
                    None, ("eecs182_hw7.p1b_pca_optimality",)),
    WrittenQuestion(A, "2(a)(i)", "number of linear layers (choice)", "choice", None,
                    (f"{A}.p2a_i_layers",)),
    WrittenQuestion(A, "2(a)(ii)", "loss function (choice)", "choice", None,
                    (f"{A}.p2a_ii_loss",)),
    WrittenQuestion(A, "2(a)(iii)", "what optimizing (3) needs (choices)", "choice", None,
                    (f"{A}.p2a_iii_needed",)),
    WrittenQuestion(A, "2(b)", "inductive bias towards orthonormal W_2 (lambda < sigma_k)",
                    "proof", None, ("eecs182_hw7.p2b_orthonormal_bias",)),
    WrittenQuestion(A, "3(a)-(c)", "mean and variance of q^T k, the scale s", "derivation",
                    None, ("eecs182_hw7.p3_scaled_dot_product",)),
    WrittenQuestion(A, "4(a)", "output of argmax attention (the package's example)",
                    "derivation", None, ("eecs182_hw7.p4a_argmax_example",)),
    WrittenQuestion(A, "4(b)", "argmax attention and gradients", "explanation", None,
                    (f"{A}.p4b_argmax_gradients",)),
    WrittenQuestion(A, "5(a)", "conditions on sim", "explanation", None,
                    (f"{A}.p5a_similarity",)),
    WrittenQuestion(A, "5(b)(i)-(iii)", "quadratic kernel, its feature map, kernel attention",
                    "derivation", None, ("eecs182_hw7.p5b_quadratic_kernel",)),
    WrittenQuestion(A, "5(c)-(d)", "time and memory of softmax and linearised attention",
                    "derivation", None, ("eecs182_hw7.p5cd_attention_cost",)),
    WrittenQuestion(A, "6(a)", "20 vs 56 layers (optional)", "explanation", None,
                    (f"{A}.p6a_degradation",)),
    WrittenQuestion(A, "6(b)", "gradient accumulation: batch norm vs layer norm (optional)",
                    "explanation", None, (f"{A}.p6b_batchnorm_accumulation",)),
    WrittenQuestion(A, "6(c)", "the diverging training loop (optional)", "explanation", None,
                    (f"{A}.p6c_missing_zero_grad",)),
    WrittenQuestion(A, "7(a)-(c)", "homework process", "survey", None, (f"{A}.p7_process",)),
)

register(QUESTIONS, EXPLANATIONS)
