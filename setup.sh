#!/usr/bin/env bash
# Install dlgrade; safe to run again.
#
# On a developer machine: a .venv in this folder with the package (editable) and its test tools.
# Inside Gradescope's image build (/autograder exists, run as root): a system-wide install, with
# torch's CPU build when the machine has no GPU, readable by the unprivileged uids that student
# kernels run as (numeric uids leased per grading: no account to create), and permissions that
# keep the grader's files away from them.
# Versions come from constraints.txt, so every machine grades with the same numerics.
set -euo pipefail
cd "$(dirname "$0")"
TORCH_CPU_INDEX=${DLGRADE_TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}
CIFAR10_URL=https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
CIFAR10_MD5=c32a1d4ab5d03f1284b67883e8d87530

# Test splits of the trained-model questions: the ones `dlgrade autograder --data` put in data/,
# then the public ones `dlgrade autograder --fetch` listed in FETCH_DATA (Gradescope builds the
# image with network). Root-only: the grader sends batches to the kernel, which must never read
# the labels itself.
install_test_data() {
    local target=$1
    mkdir -p "$target"
    if [ -d data ]; then cp -r data/. "$target/"; fi
    if [ -f FETCH_DATA ]; then
        while read -r name; do
            case "$name" in
                mnist) python3 -c 'import sys; from reference.mnist import download_mnist
download_mnist(sys.argv[1])' "$target/mnist" ;;
                cifar10) mkdir -p "$target/cifar10"
                    curl -fsSL "$CIFAR10_URL" -o /tmp/cifar10.tar.gz
                    echo "$CIFAR10_MD5  /tmp/cifar10.tar.gz" | md5sum -c --quiet
                    tar -xzf /tmp/cifar10.tar.gz -C /tmp cifar-10-batches-bin/test_batch.bin
                    mv /tmp/cifar-10-batches-bin/test_batch.bin "$target/cifar10/"
                    rm -rf /tmp/cifar10.tar.gz /tmp/cifar-10-batches-bin ;;
                "") ;;
                *) echo "setup.sh: cannot fetch $name" >&2; exit 1 ;;
            esac
        done <FETCH_DATA
    fi
    chmod -R go-rwx "$target"
}

if [ -d /autograder ] && [ "$(id -u)" = 0 ]; then
    export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore
    python3 -m pip install --quiet --upgrade pip
    gpu=; if nvidia-smi -L >/dev/null 2>&1; then gpu=1; fi
    if [ -z "$gpu" ]; then
        # the CPU build saves ~430 MB per process, which a 768 MB container needs
        python3 -m pip install --quiet -c constraints.txt --index-url "$TORCH_CPU_INDEX" \
            torch torchvision
    fi
    # EXTRAS (written by `dlgrade autograder`): the optional dependencies this assignment imports
    extras=$(tr -d ' \n' < EXTRAS 2>/dev/null || true)
    if [ -z "$extras" ]; then
        python3 -m pip install --quiet -c constraints.txt .
    elif [ -n "$gpu" ]; then
        python3 -m pip install --quiet -c constraints.txt ".[$extras]"
    else
        # no GPU: the extras' requirements with faiss's CPU build (no ~1 GB of CUDA wheels)
        wanted=$(python3 -c 'import sys, tomllib
optional = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]
for req in (r for name in sys.argv[1].split(",") for r in optional[name]):
    print("faiss-cpu" if req == "faiss-gpu" else req)' "$extras")
        mapfile -t wanted <<< "$wanted"
        python3 -m pip install --quiet -c constraints.txt . "${wanted[@]}"
    fi
    site=$(cd / && python3 -c 'import graders, os; print(os.path.dirname(graders.__path__[0]))')
    chmod 700 "$site/graders" "$site/reference" "$site/theory" /autograder/source
    mkdir -p /autograder/results && chmod 700 /autograder/results
    install_test_data /autograder/data
    # matplotlib's font list, built once into the image instead of in every grading's kernel
    (cd / && python3 -m graders.font_cache) || echo "setup.sh: matplotlib's font list not built" >&2
    exit 0
fi

# A developer machine. As root, build the venv on the system Python when there is one: student
# kernels then run as unprivileged uids, which cannot enter a Python installed under /root.
python=${PYTHON:-python3}
if [ "$(id -u)" = 0 ] && [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
    python=/usr/bin/python3
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test,staff,search]"
.venv/bin/python -m graders.font_cache || echo "setup.sh: matplotlib's font list not built" >&2
# tests of the staff tools render the class report in headless Chromium and compile the rubric
# with pdflatex (Debian's packages), installed when root; without them those tests skip
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null &&
    ! { command -v chromium && command -v pdflatex; } >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
        texlive-latex-base texlive-latex-recommended) >/dev/null 2>&1 ||
        echo "setup.sh: chromium or texlive not installed; their staff-tool tests will skip"
fi
echo "dlgrade is installed in .venv; run the tests with .venv/bin/pytest"
