"""CSCI 5527 HW3: optimizers (Problem 1), cross-correlation (Problem 2), normalization (Problem 3)
and transfer learning (Problem 4), one notebook per part: hw3_p1.ipynb, hw3.ipynb (P2 and P3),
hw3_p4.ipynb."""

from graders.assignments import BUILDS_OPTIMIZERS, Assignment, Question

# ready-made correlation: P2 asks for its own (checking against them outside the graded
# functions is fine); every convolution of torch, transposed ones included, counts
_CONVOLUTIONS = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d", "conv_tbc")
_CONV_LAYERS = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
                "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
                "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d")
NUMPY_CORRELATION = ("numpy.correlate", "numpy.convolve", "scipy.signal", "scipy.ndimage",
                     "torch.convolution", *(f"torch.nn.functional.{f}" for f in _CONVOLUTIONS),
                     *(f"torch.{f}" for f in _CONVOLUTIONS),
                     *(f"torch.nn.{layer}" for layer in _CONV_LAYERS))
# P2(c) derives the Jacobian by hand: no automatic differentiation of any kind
AUTOGRAD = ("torch.autograd", "torch.func", "functorch", "torch.Tensor.backward", ".backward")
BUILT_IN_NORMS = ("torch.nn.functional.batch_norm", "torch.nn.functional.layer_norm",
                  "torch.nn.functional.instance_norm", "torch.nn.functional.group_norm",
                  "torch.batch_norm", "torch.layer_norm", "torch.instance_norm", "torch.group_norm",
                  "torch.nn.BatchNorm2d", "torch.nn.LayerNorm", "torch.nn.InstanceNorm2d",
                  "torch.nn.GroupNorm")
# ready-made optimizers: P1 asks for its own (the Optimizer base class stays allowed)
BUILT_IN_OPTIMIZERS = tuple(f"torch.optim.{name}" for name in (
    "Adadelta", "Adafactor", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "Muon",
    "NAdam", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "_functional", "adadelta",
    "adagrad", "adam", "adamax", "adamw", "asgd", "lbfgs", "nadam", "radam", "rmsprop", "rprop",
    "sgd", "sparse_adam", "_multi_tensor"))
P1_NOTEBOOK, P4_NOTEBOOK = "hw3_p1.ipynb", "hw3_p4.ipynb"
TEST_DATA = ("mnist", "chest_xray")  # test splits of P1(e), P4(b): `dlgrade autograder --data`

ASSIGNMENT = Assignment(
    id="csci5527_hw3",
    title="CSCI 5527 HW3: optimizers, cross-correlation, normalization, transfer learning",
    notebook="hw3.ipynb",
    other_notebooks=(P1_NOTEBOOK, P4_NOTEBOOK),
    questions=(
        Question("p1a", "1.1", "P1(a) a model of at most three layers", 0.5, ("make_model",),
                 notebook=P1_NOTEBOOK),
        Question("p1b", "1.2", "P1(b) Adagrad", 1.0, ("Adagrad",), BUILT_IN_OPTIMIZERS,
                 notebook=P1_NOTEBOOK, preload=BUILDS_OPTIMIZERS),
        Question("p1c", "1.3", "P1(c) RMSprop", 0.5, ("RMSprop",), BUILT_IN_OPTIMIZERS,
                 notebook=P1_NOTEBOOK, preload=BUILDS_OPTIMIZERS),
        Question("p1d", "1.4", "P1(d) Adam", 1.5, ("Adam",), BUILT_IN_OPTIMIZERS,
                 notebook=P1_NOTEBOOK, preload=BUILDS_OPTIMIZERS),
        # built-in optimizers may be compared with in SETTINGS (the handout allows it): the
        # grader checks that the runs it measures used the notebook's own classes
        Question("p1e", "1.5", "P1(e) the 98% test", 1.0, ("train", "make_model"),
                 BUILT_IN_OPTIMIZERS, notebook=P1_NOTEBOOK),
        Question("p2a", "2.1", "P2(a) 1-D cross-correlation", 0.75,
                 ("xcorr1d", "yx_from_xy"), NUMPY_CORRELATION),
        Question("p2a_value", "2.1v", "P2(a) answer cell: the value of [3,2,1] ⋆ [4,6,3,9]", 0.25),
        Question("p2a_written", "2.1w", "P2(a) written: how x*y and y*x relate, in words", 0.0,
                 manual=True),
        Question("p2b", "2.2", "P2(b) the matrix C_w", 1.0, ("xcorr_matrix",), NUMPY_CORRELATION),
        Question("p2c", "2.3", "P2(c) the Jacobian of w*x with respect to w", 1.0,
                 ("xcorr_jacobian",),
                 NUMPY_CORRELATION + AUTOGRAD),
        Question("p2d", "2.4", "P2(d) 2-D cross-correlation in NumPy", 1.0, ("xcorr2d",),
                 NUMPY_CORRELATION),
        Question("p2e", "2.5", "P2(e) gradient magnitude", 1.0, ("gradient_magnitude",),
                 NUMPY_CORRELATION),
        Question("p2f", "2.6", "P2(f) template matching", 1.0, ("match_template",),
                 NUMPY_CORRELATION),
        Question("p2g", "2.7", "P2(g) multichannel cross-correlation", 1.0,
                 ("xcorr_multichannel",), NUMPY_CORRELATION),
        Question("p3_batch", "3.1", "P3 batch norm", 0.5, ("batch_norm",), BUILT_IN_NORMS),
        Question("p3_layer", "3.2", "P3 layer norm", 0.5, ("layer_norm",), BUILT_IN_NORMS),
        Question("p3_instance", "3.3", "P3 instance norm", 0.5, ("instance_norm",),
                 BUILT_IN_NORMS),
        Question("p3_eps", "3.4w", "P3 written: why the built-in norms add eps", 0.0, manual=True),
        # P4 forbids nothing: the handout itself points to sklearn's metrics
        Question("p4a", "4.1", "P4(a) transfer-learning pipeline", 1.0,
                 ("build_model", "class_weights", "weighted_cross_entropy", "accuracy",
                  "balanced_accuracy", "average_precision"), notebook=P4_NOTEBOOK),
        Question("p4b", "4.2", "P4(b) the 90% test", 1.0, ("predict_scores",),
                 notebook=P4_NOTEBOOK),
    ),
)
