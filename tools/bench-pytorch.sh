#!/usr/bin/env bash
# PyTorch as the anchor: trains the same MLP (784-512-256-10) and CNN (conv32-conv64-fc128, dropout 0.3) on full
# Fashion-MNIST (55,000 train / 5,000 validation, batch 128, Adam 1e-3) with PyTorch and with `onnxreg train`,
# alternating runs in one invocation, and prints each engine's median first epoch and median steady-state epoch
# (epochs 2..E, validation pass included) and their ratios. Skipped, with a note, when Debian's python3-torch is not
# installed (sudo apt-get install python3-torch libopenblas0-openmp) or the full data set is missing (tools/setup.sh).
#   --epochs E    epochs per run (default 3)     --repeats R   alternating runs per engine and model (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=3; repeats=2
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs="$2"; shift ;;
    --repeats) repeats="$2"; shift ;;
    *) echo "bench-pytorch.sh: unknown option '$1' (allowed: --epochs E, --repeats R)" >&2; exit 2 ;;
  esac
  shift
done
data=/usr/share/datasets/fashion-mnist
python=/usr/bin/python3
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "PyTorch comparison skipped: Debian's python3-torch is not installed (sudo apt-get install python3-torch libopenblas0-openmp)."
  exit 0
fi
if [ ! -f "$data/train-images-idx3-ubyte.gz" ]; then
  echo "PyTorch comparison skipped: full Fashion-MNIST is not in $data (bash tools/setup.sh installs dataset-fashion-mnist)."
  exit 0
fi
threads=$(nproc)
dotnet build -c Release tools/OnnxReg.Cli -nologo -v quiet >/dev/null
onnxreg=tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for model in mlp cnn; do
  case $model in
    mlp) options=(--model mlp --hidden 512,256) ;;
    cnn) options=(--model cnn --dropout 0.3) ;;
  esac
  for r in $(seq 1 "$repeats"); do
    "$python" tools/bench/pytorch_epochs.py "$data" "$model" "$epochs" "$threads" | awk -v m=$model '{print m, "pytorch", $2, $3}' >>"$work/times"
    "$onnxreg" train --data fashion-mnist "${options[@]}" --batch-size 128 --lr 0.001 --epochs "$epochs" --validation-fraction 0.083333 \
        --seed "$r" -o "$work/$model.onnx" 2>&1 \
      | sed -n 's/^epoch *\([0-9]*\)\/[0-9]* .*(\([0-9.]*\) s)$/\1 \2/p' | awk -v m=$model '{print m, "onnxreg", $1, $2}' >>"$work/times"
  done
done
"$python" - "$work/times" "$epochs" "$repeats" "$threads" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
epochs, repeats, threads = sys.argv[2], sys.argv[3], sys.argv[4]
def median(model, engine, first):
    values = [float(t) for m, e, n, t in rows if m == model and e == engine and (n == "1") == first]
    return statistics.median(values) if values else float("nan")
print(f"| model | epoch | PyTorch 1.13 | onnxreg train | PyTorch / onnxreg speed (≥ 1.0 met; first epoch ≤ 1.1× time) |")
print("| --- | --- | --- | --- | --- |")
for model in ("mlp", "cnn"):
    for first, label in ((True, "first"), (False, "steady state (epochs 2+)")):
        p, o = median(model, "pytorch", first), median(model, "onnxreg", first)
        ratio = p / o
        target = (o / p <= 1.1) if first else (ratio >= 1.0)
        print(f"| {model} | {label} | {p:.2f} s | {o:.2f} s | {ratio:.2f} ({'met' if target else 'missed'}) |")
print(f"\n{repeats} alternating runs of {epochs} epochs per engine and model, {threads} threads; medians over runs (and epochs 2+).")
PY
