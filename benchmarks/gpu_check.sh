#!/usr/bin/env bash
# Grade every assignment's solution with the student kernel on CUDA, then on the CPU
# (CUDA_VISIBLE_DEVICES=""), and print per assignment: full marks or not, and the time, on each.
# Checks are calibrated on the CPU; this shows they hold on a GPU (TF32 off, see graders/kernel_gpu.py).
# Without a working nvidia-smi it says so and exits 0.
#
#   PYTHON=.venv/bin/python benchmarks/gpu_check.sh [ASSIGNMENT ...]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! gpu=$(nvidia-smi -L 2>/dev/null | head -n 1) || [ -z "$gpu" ]; then
    echo "gpu_check: no GPU here (nvidia-smi is missing or fails); nothing to check"
    exit 0
fi
echo "gpu_check: $gpu"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
if [ $# -gt 0 ]; then
    assignments=("$@")
else
    read -r -a assignments <<< "$("$python" -c 'from graders.assignments import available
print(*available())')"
fi
work=$(mktemp -d)  # solutions, results.json and logs stay here
chmod 755 "$work"  # the kernel's unprivileged user reads the solution notebooks

# grade ASSIGNMENT DEVICE: prints "full" or "NOT-full(score/max)", and the seconds it took
grade() {
    local results="$work/$1-$2.json" start end
    start=$(date +%s.%N)
    if [ "$2" = cpu ]; then
        CUDA_VISIBLE_DEVICES="" "$python" -m graders.cli grade "$1" "$work/$1" \
            --results "$results" >"$work/$1-$2.log" 2>&1 || true
    else
        "$python" -m graders.cli grade "$1" "$work/$1" --results "$results" \
            >"$work/$1-$2.log" 2>&1 || true
    fi
    end=$(date +%s.%N)
    "$python" - "$results" "$start" "$end" <<'EOF'
import json, sys
path, start, end = sys.argv[1:]
try:
    tests = json.load(open(path))["tests"]
except (OSError, ValueError, KeyError):
    print(f"no-results.json {float(end) - float(start):.0f}")
    raise SystemExit
score, most = sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)
full = all(t["score"] >= t["max_score"] for t in tests)
verdict = "full" if full else f"NOT-full({score:g}/{most:g})"
print(f"{verdict} {float(end) - float(start):.0f}")
EOF
}

printf '%-16s %-22s %7s %-22s %7s\n' assignment cuda "time s" cpu "time s"
for a in "${assignments[@]}"; do
    "$python" -m graders.cli solve "$a" -o "$work/$a" >/dev/null
    chmod -R a+rX "$work/$a"
    read -r cuda_verdict cuda_time <<< "$(grade "$a" cuda)"
    read -r cpu_verdict cpu_time <<< "$(grade "$a" cpu)"
    printf '%-16s %-22s %7s %-22s %7s\n' "$a" "$cuda_verdict" "$cuda_time" "$cpu_verdict" \
        "$cpu_time"
done
echo "gpu_check: solutions, results.json and grading logs are in $work"
