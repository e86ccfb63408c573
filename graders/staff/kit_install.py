"""Install the public checker of this kit:  python3 install.py [--gpu]

Checks the Python version first (the checker needs 3.11 or newer), then installs ./checker with
pip. By default PyTorch comes from its CPU wheel index: a few hundred MB instead of several GB
of CUDA libraries, and all the checks need. `--gpu` installs PyTorch's default (CUDA) build.
Written for any Python 3.6 or newer, so that an old one gets this message rather than a failed
download.
"""

import os
import subprocess
import sys

REQUIRED = (3, 11)
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def python_problem(version=None):
    """Why this Python cannot run the checker, or None when it can."""
    version = tuple(version or sys.version_info[:2])
    if version < REQUIRED:
        return (f"The checker needs Python {REQUIRED[0]}.{REQUIRED[1]} or newer; this is "
                f"Python {version[0]}.{version[1]} ({sys.executable}). Install a newer Python "
                "(python.org, conda, or your package manager), then run it: "
                "python3.11 install.py")
    return None


def pip_command(gpu, here):
    command = [sys.executable, "-m", "pip", "install", os.path.join(here, "checker")]
    if not gpu:  # the +cpu builds rank above PyPI's of the same version
        command += ["--extra-index-url", CPU_INDEX]
    return command


def main(argv):
    problem = python_problem()
    if problem:
        sys.stderr.write(problem + "\n")
        return 1
    command = pip_command("--gpu" in argv, os.path.dirname(os.path.abspath(__file__)))
    print("installing: " + " ".join(command))
    code = subprocess.call(command)
    if code == 0:  # matplotlib's font list, built once here instead of in every check (~1 s)
        subprocess.call([sys.executable, "-m", "graders.font_cache"])
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
