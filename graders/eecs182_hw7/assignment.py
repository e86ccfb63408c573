"""EECS 182 HW7: autoencoders and linear probes, linear autoencoders and PCA, statistics of q^T k,
argmax and kernelized linear attention, gradient accumulation.

The handout gives no points: these are this package's (90 autograded, most on the programmed
parts; 26 written, graded by hand as the manual questions below say). Choice and closed-form
answers are typed into answer cells and checked by theory's answer checker.
"""

from graders.assignments import BUILDS_OPTIMIZERS, Assignment, Question

AUTOGRAD = ("torch.autograd", "torch.func", "functorch", ".backward")

ASSIGNMENT = Assignment(
    id="eecs182_hw7",
    title="EECS 182 HW7: autoencoders, linear autoencoders and PCA, attention",
    notebook="hw7.ipynb",
    questions=(
        Question("q1a_models", "1.1", "Q1(a) autoencoder modules: shapes and contract", 3.0,
                 ("AutoEncoder", "DenoisingAutoEncoder", "MaskedAutoEncoder")),
        Question("q1a_denoise", "1.2", "Q1(a) denoising: noise on the input, clean target", 5.0,
                 ("DenoisingAutoEncoder",)),
        Question("q1a_mask", "1.3", "Q1(a) masking: hidden input entries, loss on them", 5.0,
                 ("MaskedAutoEncoder",)),
        Question("q1a_train", "1.4", "Q1(a) the autoencoder trainer", 6.0,
                 ("train_autoencoder", "reconstruction_error")),
        Question("q1a_probe", "1.5", "Q1(a) the linear probe on frozen features", 7.0,
                 ("linear_probe",), preload=BUILDS_OPTIMIZERS),
        Question("q1a_sweep", "1.6", "Q1(a) the latent-size sweep: table and figure", 3.0,
                 ("sweep_results", "fig_sweep")),
        Question("q1a_written", "1.7w", "Q1(a) written: the sweep's figure and its reading "
                 "(6 points, by hand)", 0.0, manual=True),
        Question("q1b_grad", "1.8", "Q1(b) gradients of the linear autoencoder", 4.0,
                 ("linear_ae_gradients",), AUTOGRAD),
        Question("q1b_pca", "1.9", "Q1(b) the top-k principal components", 3.0,
                 ("top_principal_components",)),
        Question("q1b_written", "1.10w", "Q1(b) written: the first-order conditions and why "
                 "U_k meets them (4 points, by hand)", 0.0, manual=True),
        Question("q2a_i", "2.1", "Q2(a)(i) how many linear layers", 1.0),
        Question("q2a_ii", "2.2", "Q2(a)(ii) the loss function", 1.0),
        Question("q2a_iii", "2.3", "Q2(a)(iii) what optimizing (3) exactly needs", 1.0),
        Question("q2_train", "2.4", "Q2 SGD with weight decay: the decoder's singular values",
                 6.0, ("train_linear_ae",)),
        Question("q2_written", "2.5w", "Q2 written: the reasons for (a), and (b) (4 points, by "
                 "hand)", 0.0, manual=True),
        Question("q3_mc", "3.1", "Q3 Monte Carlo mean and variance of q^T k", 4.0,
                 ("dot_product_stats",)),
        Question("q3a", "3.2", "Q3(a) E[q^T k]", 1.0),
        Question("q3b", "3.3", "Q3(b) Var(q^T k) for mu = 0, sigma = 1", 1.0),
        Question("q3c", "3.4", "Q3(c) the scale s", 1.0),
        Question("q4a", "4.1", "Q4(a) argmax attention", 4.0, ("argmax_attention",)),
        Question("q4_softmax", "4.2", "Q4 softmax attention", 2.0, ("softmax_attention",)),
        Question("q4b_grad", "4.3", "Q4(b) gradients reaching queries and keys", 3.0,
                 ("query_key_gradient_norms",)),
        Question("q4b_written", "4.4w", "Q4(b) written: argmax and training (3 points, by hand)",
                 0.0, manual=True),
        Question("q5a_written", "5.1w", "Q5(a) written: when eq. 6 stays finite (2 points, by "
                 "hand)", 0.0, manual=True),
        Question("q5b_kernel", "5.2", "Q5(b)(i) the quadratic kernel", 2.0, ("quadratic_kernel",)),
        Question("q5b_i", "5.3", "Q5(b)(i) sim(q, k) as a formula", 1.0),
        Question("q5b_phi", "5.4", "Q5(b)(ii) the feature map phi", 4.0,
                 ("quadratic_feature_map",)),
        Question("q5_eq6", "5.5", "Q5(b)(iii) kernel attention, eq. 6", 3.0,
                 ("kernel_attention",)),
        Question("q5_eq8", "5.6", "Q5(d) linearized attention, eq. 8", 5.0, ("linear_attention",)),
        Question("q5_linear_work", "5.7", "Q5(d) eq. 8's work grows linearly in N", 3.0,
                 ("linear_attention",)),
        Question("q5cd_written", "5.8w", "Q5(c)-(d) written: time and memory of both forms "
                 "(4 points, by hand)", 0.0, manual=True),
        Question("q6a_written", "6.1w", "Q6(a) written: the deeper network trains worse (2 "
                 "points, by hand)", 0.0, manual=True),
        Question("q6b", "6.2", "Q6(b) gradient accumulation", 6.0, ("accumulated_gradient",)),
        Question("q6b_answer", "6.3", "Q6(b) which normalization fails the test", 1.0),
        Question("q6c", "6.4", "Q6(c) the corrected training loop", 4.0, ("train_loop",),
                 preload=BUILDS_OPTIMIZERS),
        Question("q6c_written", "6.5w", "Q6(c) written: what was wrong (1 point, by hand)", 0.0,
                 manual=True),
    ),
)
