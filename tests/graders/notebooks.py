"""Notebook variants for the end-to-end grading tests.

A variant is the solution notebook with the graded cell of one or more questions replaced. The
wrong functions below are short, independent implementations, each wrong in one way a student
could plausibly be (none is copied from reference/): the tests check that the grader takes away
exactly that question's points and says why.
"""

import ast
import copy
from dataclasses import dataclass

import nbformat


def slim(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The imports cell and the graded cells only: the student's own checks and experiments
    (a 50x50x64x64 norm comparison among them) only print, and only cost kernel time."""
    nb = copy.deepcopy(nb)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells = [c for i, c in enumerate(nb.cells) if i == first_code or _question(c)]
    return nb


def graded_index(nb: nbformat.NotebookNode, question: str) -> int:
    """Index of the cell whose metadata says it answers `question`."""
    for index, cell in enumerate(nb.cells):
        if _question(cell) == question:
            return index
    raise KeyError(f"no graded cell for {question!r}")


def replace_cells(nb: nbformat.NotebookNode, sources: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of `nb` with the graded cell of each question given the new source.

    The solution pastes a shared helper once, in the first cell that needs it (`_normalize` in
    batch_norm's cell serves layer_norm and instance_norm too), so the definitions of the old
    cell that the new source does not redefine stay, after it: a wrong batch_norm must not take
    layer_norm down with it.
    """
    nb = copy.deepcopy(nb)
    for question, source in sources.items():
        cell = nb.cells[graded_index(nb, question)]
        new_names = _top_level_names(ast.parse(source))
        old = ast.parse(cell.source)
        kept = [ast.get_source_segment(cell.source, node) for node in old.body
                if not _top_level_names(ast.Module([node], type_ignores=[])) & new_names]
        cell.source = "\n\n\n".join([source.strip(), *kept])
    return nb


def insert_cell(nb: nbformat.NotebookNode, index: int, source: str) -> nbformat.NotebookNode:
    """A copy of `nb` with a new (ungraded) code cell at `index`."""
    nb = copy.deepcopy(nb)
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


def delete_cell(nb: nbformat.NotebookNode, question: str) -> nbformat.NotebookNode:
    """A copy of `nb` without the graded cell of `question`."""
    nb = copy.deepcopy(nb)
    del nb.cells[graded_index(nb, question)]
    return nb


def _question(cell) -> str | None:
    """The question a graded cell answers: its code (`question`) or its typed answer (`answer`)."""
    declared = cell.metadata.get("dlgrade", {})
    return declared.get("question") or declared.get("answer")


def _top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@dataclass(frozen=True)
class Wrong:
    """A wrong answer to `question`; its tests' output must contain every string of `says`."""

    question: str
    source: str
    says: tuple[str, ...]


WRONG = {
    # passes the public check on [3, 2, 1] ⋆ [4, 6, 3, 9] and nothing else
    "hard_coded_xcorr1d": Wrong("p2a", '''
def xcorr1d(x, y):
    return np.array([4.0, 14.0, 27.0, 33.0, 27.0, 27.0])


def yx_from_xy(xy):
    return np.array([27.0, 27.0, 33.0, 27.0, 14.0, 4.0])
''', ("xcorr1d: expected shape", "yx_from_xy: expected shape", "relative difference")),
    "transposed_xcorr_matrix": Wrong("p2b", '''
def xcorr_matrix(w, n):
    m = len(w)
    C = np.zeros((m + n - 1, n))
    for j in range(n):
        C[j:j + m, j] = w[::-1]
    return C.T  # wrong: C_w has m + n - 1 rows
''', ("xcorr_matrix: expected shape (6, 4), got (4, 6)",)),
    "jacobian_is_C_w": Wrong("p2c", '''
def xcorr_jacobian(w, x):
    m, n = len(w), len(x)
    J = np.zeros((m + n - 1, n))  # wrong: this is C_w (w ⋆ x = C_w x); d(w ⋆ x)/dw is C_x
    for j in range(n):
        J[j:j + m, j] = w[::-1]
    return J
''', ("xcorr_jacobian: expected shape (6, 3), got (6, 4)",)),
    "convolution_xcorr2d": Wrong("p2d", '''
def xcorr2d(Z1, Z2):
    (n1, n2), (m1, m2) = Z1.shape, Z2.shape
    padded = np.pad(Z2, ((n1 - 1, n1 - 1), (n2 - 1, n2 - 1)))
    kernel = Z1[::-1, ::-1]  # wrong: a flipped kernel makes this a convolution
    out = np.zeros((n1 + m1 - 1, n2 + m2 - 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(padded[r:r + n1, c:c + n2] * kernel)
    return out
''', ("xcorr2d: relative difference",)),
    "gradient_magnitude_X1_twice": Wrong("p2e", '''
X1 = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])


def gradient_magnitude(Y):
    G1 = xcorr2d(X1, Y)
    G2 = xcorr2d(X1, Y)  # wrong: the second filter is X1.T
    return np.sqrt(G1**2 + G2**2)
''', ("gradient_magnitude: relative difference",)),
    "match_template_argmax": Wrong("p2f", '''
def match_template(template, image):
    corr = xcorr2d(template - template.mean(), image - image.mean())
    row, col = np.unravel_index(np.argmax(corr), corr.shape)
    return int(row), int(col)  # wrong: an index of the full output, not the top-left corner
''', ("match_template: missed the template",)),
    "same_size_multichannel": Wrong("p2g", '''
def xcorr_multichannel(X, Y):
    (h, w, _), (H, W, _) = X.shape, Y.shape
    top, left = (h - 1) // 2, (w - 1) // 2
    padded = np.pad(Y, ((top, h - 1 - top), (left, w - 1 - left), (0, 0)))
    out = np.zeros((H, W))  # wrong: 'same' size; the full output is (H + h - 1, W + w - 1)
    for r in range(H):
        for c in range(W):
            out[r, c] = np.sum(padded[r:r + h, c:c + w] * X)
    return out
''', ("xcorr_multichannel: expected shape (14, 12), got (12, 10)",)),
    "batch_norm_per_sample": Wrong("p3_batch", '''
def batch_norm(x, eps=1e-5):
    dims = (0, 1, 2)  # wrong: per sample; batch norm reduces over H, W and N, per channel
    mu = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, correction=0, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps)
''', ("batch_norm: relative difference",)),
    "layer_norm_over_batch": Wrong("p3_layer", '''
def layer_norm(x, eps=1e-5):
    mu, var = x.mean(), x.var(correction=0)  # wrong: over N too; layer norm is per sample
    return (x - mu) / torch.sqrt(var + eps)
''', ("layer_norm: relative difference",)),
    "instance_norm_unbiased": Wrong("p3_instance", '''
def instance_norm(x, eps=1e-5):
    mu = x.mean(dim=(0, 1), keepdim=True)
    var = x.var(dim=(0, 1), keepdim=True)  # wrong: unbiased (n - 1); normalization uses 1/n
    return (x - mu) / torch.sqrt(var + eps)
''', ("instance_norm: relative difference",)),
    # an answer cell: the text typed, checked by theory's answer checker
    "p2a_value_reversed": Wrong("p2a_value", 'answer_p2a = "[27, 27, 33, 27, 14, 4]"',
                                ("p2a_value entry 1 differs from the expected answer",)),
}

# Calls scipy inside a graded function: the static scan takes the question's points (and those
# of every question whose functions call it), whatever the values.
SCIPY_XCORR2D = '''
def xcorr2d(Z1, Z2):
    return scipy.signal.correlate2d(Z2, Z1, mode="full")
'''

# Right values, from the grader's own package: the scan stops it, not the values.
REFERENCE_LAYER_NORM = '''
def layer_norm(x, eps=1e-5):
    from reference.norm import layer_norm as staff_layer_norm

    return staff_layer_norm(x, eps)
'''

IMPORT_REFERENCE = "import reference.xcorr\n"
