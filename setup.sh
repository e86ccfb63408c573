#!/usr/bin/env bash
# Install dlgrade; safe to run again.
#
# On a developer machine: a .venv in this folder with the package (editable) and its test tools.
# Inside Gradescope's image build (/autograder exists, run as root): a system-wide install, with
# torch's CPU build when the machine has no GPU, the unprivileged user that student kernels run
# as, and permissions that keep the grader's files away from that user.
# Versions come from constraints.txt, so every machine grades with the same numerics.
set -euo pipefail
cd "$(dirname "$0")"
KERNEL_USER=dlgrade-student
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
    if ! command -v nvidia-smi >/dev/null 2>&1; then
        # the CPU build saves ~430 MB per process, which a 768 MB container needs
        python3 -m pip install --quiet -c constraints.txt --index-url "$TORCH_CPU_INDEX" \
            torch torchvision
    fi
    python3 -m pip install --quiet -c constraints.txt .
    id -u "$KERNEL_USER" >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin "$KERNEL_USER"
    site=$(cd / && python3 -c 'import graders, os; print(os.path.dirname(graders.__path__[0]))')
    chmod 700 "$site/graders" "$site/reference" "$site/theory" /autograder/source
    mkdir -p /autograder/results && chmod 700 /autograder/results
    install_test_data /autograder/data
    exit 0
fi

# A developer machine. As root, build the venv on the system Python when there is one: student
# kernels then run as an unprivileged user, who cannot enter a Python installed under /root.
python=${PYTHON:-python3}
if [ "$(id -u)" = 0 ] && [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
    python=/usr/bin/python3
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
echo "dlgrade is installed in .venv; run the tests with .venv/bin/pytest"
