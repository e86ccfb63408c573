"""CS 229br HW0: generalization, SGD and inductive bias (written), a CIFAR-10 CNN, and a CLIP +
Faiss text-to-image search engine with a probe on frozen embeddings and better queries.

The handout gives no points; ours (stated in the template too) total 100: 44 written, graded by
hand (manual), and 56 autograded. The 85% CIFAR-10 accuracy of 2.1 is graded only where the
CIFAR-10 test batch is installed; elsewhere it is reported as not graded.
"""

from graders.assignments import BUILDS_OPTIMIZERS, Assignment, Question

ASSIGNMENT = Assignment(
    id="cs229br_hw0",
    title="CS 229br HW0: theory warm-up and a CLIP + Faiss image search engine",
    notebook="hw0.ipynb",
    questions=(
        Question("q11", "1.1w", "Q1.1 written: the generalization bound", 10.0, manual=True),
        Question("q12", "1.2", "Q1.2 the constant c of the expected SGD gradient", 2.0),
        Question("q12w", "1.2w", "Q1.2 written: the proof that E[grad] = c (w_t - w_*)", 6.0,
                 manual=True),
        Question("q13", "1.3w", "Q1.3 written: the span invariant and the minimum-norm solution",
                 10.0, manual=True),
        Question("q21_model", "2.1", "Q2.1 the CIFAR-10 CNN with batch norm and its training "
                 "step", 6.0, ("CifarNet", "train_step"), preload=BUILDS_OPTIMIZERS),
        Question("q21_accuracy", "2.1b", "Q2.1 85% test accuracy of the trained CNN", 4.0,
                 ("cifar_model",)),
        Question("q21w", "2.1w", "Q2.1 written: what changing the training setup did", 4.0,
                 manual=True),
        Question("q22", "2.2w", "Q2.2 written: how CLIP works", 8.0, manual=True),
        Question("q23_embed", "2.3a", "Q2.3 image embeddings in batches, normalized, no grad",
                 6.0, ("embed_images",)),
        Question("q23_search", "2.3b", "Q2.3 exact L2 top-k search with a Faiss index", 10.0,
                 ("search_top_k",)),
        Question("q23_accuracy", "2.3c", "Q2.3 per-label top-k accuracy and its mean", 6.0,
                 ("top_k_accuracy", "mean_accuracy")),
        Question("q23w", "2.3w", "Q2.3 written: observations on the data and the search", 6.0,
                 manual=True),
        Question("q241_groups", "2.4.1a", "Q2.4.1 the four labels and \"other\"", 3.0,
                 ("group_labels",)),
        Question("q241_frozen", "2.4.1b", "Q2.4.1 a training step that leaves CLIP frozen", 5.0,
                 ("probe_step",)),
        Question("q241_train", "2.4.1c", "Q2.4.1 the probe's training loop", 6.0,
                 ("train_probe",)),
        Question("q242", "2.4.2", "Q2.4.2 a better query from the training embeddings", 8.0,
                 ("improved_query",)),
    ),
)
