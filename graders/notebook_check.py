"""Public checks from inside the student's running notebook (the kit installs it as
`dlgrade_check`):

    from dlgrade_check import check
    check("p2a")      # one question's public checks; check() runs them all

The checks run the same way as `dlgrade check` in a terminal: on the notebook as saved on disk, in
a fresh kernel, through `python -m graders.cli check`. So a definition changed in the running
kernel but not saved yet would not be checked: `check` compares the source of the question's
functions in this kernel with the saved file and says "save first" when they differ.
"""

import html
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

NOT_FOUND = ("could not tell which notebook this is: run check() from the notebook you will "
             "submit, saved in the current folder, or pass its path: check('p2a', 'hw3.ipynb')")


def check(question: str | None = None, notebook: str | os.PathLike | None = None):
    """Run the public checks of `question` (all questions when None) on the saved notebook and
    show the verdicts in the cell's output. Returns the checker's exit code (0: all passed,
    1: some failed, 2: nothing was checked)."""
    try:
        path = Path(notebook) if notebook else find_notebook()
        stale = unsaved_definitions(path, _question_functions(path, question))
    except LookupError as err:
        _show(str(err), ok=False)
        return 2
    if stale:
        _show(f"save first: {', '.join(stale)} in this kernel differ from {path.name} on disk "
              "(the checks run on the saved file)", ok=False)
        return 2
    command = [sys.executable, "-m", "graders.cli", "check", str(path)]
    if question:
        command += ["--question", question]
    run = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    _show((run.stdout + run.stderr).strip() or f"the checker exited with {run.returncode}",
          ok=run.returncode == 0)
    return run.returncode


def find_notebook(cwd: Path | None = None) -> Path:
    """The notebook this kernel runs: Jupyter's JPY_SESSION_NAME, VS Code's __vsc_ipynb_file__,
    else the one notebook in the folder that names its assignment in its metadata."""
    cwd = Path(cwd or os.getcwd())
    session = os.environ.get("JPY_SESSION_NAME", "")
    main = sys.modules.get("__main__")
    for candidate in (getattr(main, "__vsc_ipynb_file__", ""), session):
        if candidate and candidate.endswith(".ipynb"):
            for path in (Path(candidate), cwd / Path(candidate).name):
                if path.is_file():
                    return path
    declared = [p for p in sorted(cwd.glob("*.ipynb")) if _assignment_of(p)]
    if len(declared) == 1:
        return declared[0]
    raise LookupError(NOT_FOUND)


def _assignment_of(path: Path) -> str | None:
    try:
        return json.loads(path.read_text())["metadata"]["dlgrade"]["assignment"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _question_functions(path: Path, question: str | None) -> list[str]:
    assignment_id = _assignment_of(path)
    if assignment_id is None:
        raise LookupError(f"{path.name} does not say which assignment it is (metadata "
                          "dlgrade.assignment): start from the template notebook")
    from graders.assignments import load_assignment

    assignment = load_assignment(assignment_id)
    questions = [assignment.question(question)] if question else assignment.autograded
    return [name for q in questions for name in q.functions]


def unsaved_definitions(path: Path, names: list[str]) -> list[str]:
    """The functions and classes among `names` whose source in this kernel is not in the
    saved notebook (edited or defined after the last save)."""
    main = sys.modules.get("__main__")
    saved = "\n".join(cell.get("source", "") if isinstance(cell.get("source"), str)
                      else "".join(cell.get("source", []))
                      for cell in json.loads(path.read_text()).get("cells", []))
    stale = []
    for name in names:
        obj = getattr(main, name, None)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        try:
            source = inspect.getsource(obj)
        except (OSError, TypeError):
            continue
        if source.strip() not in saved:
            stale.append(name)
    return stale


def _show(text: str, ok: bool) -> None:
    """Print the verdicts, as a styled block in a notebook front end."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    colour = "#e8f5e9" if ok else "#fff3e0"
    display(HTML(f"<pre style='background:{colour};padding:8px'>{html.escape(text)}</pre>"))
