"""cs229br_hw0: the written questions (the handout gives no points) and the expected answers of
its explanations. Q1 is mathematics (claims in cs229br_finite_class, cs229br_gaussian_labels,
cs229br_bernstein and the cs229br_sgd_* modules); Q2 asks for short answers about an experiment
with CLIP and Faiss."""

from theory.written import Explanation, WrittenQuestion, register

A = "cs229br_hw0"

EXPLANATIONS = (
    Explanation(
        f"{A}.q2_1_training_notes", "Q2.1", "What changing the CIFAR-10 training setup does",
        "A short log of experiments with the given 5-layer CNN: it reaches about 85% test "
        "accuracy in a few minutes on a GPU, and each change is reported with what it did to "
        "the curves and the final accuracy.",
        ("the baseline run reproduced (about 85% test accuracy) before anything is changed",
         "at least a few controlled changes (batch size, learning-rate schedule, optimizer, "
         "number of training samples, model width/depth), one at a time, with their effect",
         "an observation tied to a reason, e.g. a larger batch needs a larger learning rate, "
         "fewer samples widen the train/test gap",
         "optional: without batch normalization training still works but is more sensitive "
         "to initialization, width and learning rate"),
    ),
    Explanation(
        f"{A}.q2_2_clip", "Q2.2", "How CLIP works, in one's own words",
        "CLIP trains an image encoder and a text encoder jointly on about 400 million "
        "(image, caption) pairs collected from the internet, with a contrastive objective: in a "
        "batch of N pairs, the cosine similarities of all N x N image/text embedding pairs, "
        "scaled by a learned temperature, go through a symmetric cross-entropy that picks out "
        "the N matching pairs. Unlike a classifier with a fixed label set it learns from "
        "natural-language supervision, so any text can act as a class: it classifies zero-shot "
        "from prompts such as 'a photo of a {label}', retrieves images from text (and text "
        "from images), and its embeddings serve as features for other models.",
        ("data: image-text pairs scraped from the web (about 400M), no manual labels",
         "objective: contrastive (InfoNCE), matching pairs against all others in the batch, "
         "in both directions, on normalized embeddings with a learned temperature",
         "difference from the CIFAR classifier: open vocabulary from text instead of a fixed "
         "softmax over classes; one shared embedding space for images and text",
         "uses: zero-shot classification, text-image search, embeddings for downstream tasks "
         "(linear probes), guiding or ranking generative models"),
    ),
    Explanation(
        f"{A}.q2_3_search_engine", "Q2.3", "The data, the search engine's mistakes, its accuracy",
        "TinyImageNet images are 64x64 and often blurry or cropped, some show several objects or "
        "the label's object small, and some labels are ambiguous or wrong, so even a person "
        "would miss some matches. The search engine's mistakes are systematic rather than "
        "random: it returns visually or semantically close classes, images that contain the "
        "query as written text, or another sense of an ambiguous word, and it can be steered "
        "by loaded queries. Its accuracy per label is (# of the k = 5 results whose label is "
        "the query's) / 5, and the report gives the mean over all labels of the validation set.",
        ("observations on the data: low resolution, crops, clutter, label noise or ambiguity",
         "mistakes explained: near classes, words written in the image, polysemy, dataset "
         "bias; a mean-spirited query and what it returns",
         "accuracy computed per label as hits / k with k = 5 and averaged over the labels",
         "the mean accuracy reported with qualitative observations (which labels fail)"),
    ),
    Explanation(
        f"{A}.q2_4_classifier", "Q2.4 (1)", "A classifier on frozen CLIP embeddings",
        "A small MLP (or a linear layer) maps a CLIP image embedding to five logits: four "
        "labels drawn at random among those with training data, and 'other' for the rest; it "
        "is trained with cross-entropy while CLIP stays frozen (embeddings computed under "
        "no_grad or detached), and its validation accuracy per label is plotted over training.",
        ("five outputs: four chosen labels plus 'other' for all remaining labels",
         "cross-entropy loss; only the classifier's parameters are optimized",
         "CLIP frozen: embeddings detached / computed without gradients",
         "a plot of validation accuracy over time (per label or overall); the imbalance of "
         "'other' against the four labels noticed"),
    ),
    Explanation(
        f"{A}.q2_4_better_query", "Q2.4 (2)", "A better query vector without training",
        "Replace (or average) the text query of a label by the mean of the CLIP image "
        "embeddings of that label's training images, normalized to unit length like the "
        "index's vectors. The centroid lies where that label's images actually sit in image "
        "embedding space (there is a gap between text and image embeddings), so its nearest "
        "neighbours among the validation images are far more often of that label.",
        ("the query is built from the label's training image embeddings, with no training",
         "their mean (centroid), normalized to unit norm (or a weighted mix with the text "
         "embedding)",
         "why it helps: the query then lives in the image part of the embedding space and "
         "matches this dataset's style, not the text embedding's position"),
        also_right="A medoid, or the normalized sum, or the mean mixed with the normalized text "
                   "embedding, earns the same credit; a nearest-centroid search over several "
                   "prototypes per label does too.",
    ),
)

QUESTIONS = (
    WrittenQuestion(A, "Q1.1", "finite-class generalization bound", "proof", None,
                    ("cs229br_hw0.q1_1_finite_class", "cs229br_hw0.q1_1_gaussian_labels",
                     "cs229br_hw0.q1_1_bernstein")),
    WrittenQuestion(A, "Q1.2", "E[gradient] = c (w_t - w*), and progress for 0 < eta < 1",
                    "proof", None, ("cs229br_hw0.q1_2_expected_gradient",)),
    WrittenQuestion(A, "Q1.3 (1)", "SGD stays in Span(w_0, x_1, ..., x_{t-1})", "proof", None,
                    ("cs229br_hw0.q1_3_span_invariant",)),
    WrittenQuestion(A, "Q1.3 (2)", "an interpolating w_n is the minimum-norm interpolant",
                    "proof", None, ("cs229br_hw0.q1_3_min_norm",)),
    WrittenQuestion(A, "Q2.1", "training notes on the CIFAR-10 CNN", "report", None,
                    (f"{A}.q2_1_training_notes",)),
    WrittenQuestion(A, "Q2.2", "how CLIP works", "explanation", None, (f"{A}.q2_2_clip",)),
    WrittenQuestion(A, "Q2.3", "observations, mistakes and mean accuracy of the search",
                    "report", None, (f"{A}.q2_3_search_engine",)),
    WrittenQuestion(A, "Q2.4 (1)", "classifier on frozen CLIP embeddings", "report", None,
                    (f"{A}.q2_4_classifier",)),
    WrittenQuestion(A, "Q2.4 (2)", "a better query without training", "explanation", None,
                    (f"{A}.q2_4_better_query",)),
)

register(QUESTIONS, EXPLANATIONS)
