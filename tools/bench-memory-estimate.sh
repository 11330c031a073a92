#!/usr/bin/env bash
# The training peak-memory estimate (onnxreg summary, and train before it starts) against the peak resident memory
# each run reaches (/usr/bin/time's maximum RSS): the cnn, cnn with batch norm, resnet and mlp presets at 28, 48, 64
# and 96 pixels, batch 128, one epoch on 2,000 training images (1,800 trained, 200 validated) of generated colour shapes, and the mlp on 2,000 of the embedded grayscale images (the data the estimate's
# constants were fitted to). Prints a markdown table for BENCHMARKS.md.
#   bash tools/bench-memory-estimate.sh [WORK=runs/memory-estimate]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-runs/memory-estimate}
mkdir -p "$work"
[ -n "${ONNXREG:-}" ] || dotnet build -c Release tools/OnnxReg.Cli -v quiet -nologo >/dev/null
tool=${ONNXREG:-tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg}
# row DATA IMAGE LABEL MODEL-OPTIONS...: one run's estimate (`summary`) and the peak `train` reaches, as a table row
# labelled IMAGE ("28x28 gray") and LABEL (the network).
row() {
  local data=$1 image=$2 label=$3; shift 3
  read -r parameters activations estimate <<<"$("$tool" summary --data "$data" --model "$@" --train-size 2000 --format json |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["parameters"], d["activationsPerImage"], d["peakMemoryBytes"] // 1048576)')"
  /usr/bin/time -f "%M" -o "$work/time" "$tool" train --data "$data" --model "$@" --epochs 1 --train-size 2000 -o "$work/m.onnx" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  peak=$(( $(tail -1 "$work/time") / 1024 ))
  printf '| %s | %s | %s | %s | %d MiB | %d MiB | %.2f |\n' "$label" "$image" "$parameters" "$activations" "$estimate" "$peak" \
    "$(echo "$peak / $estimate" | bc -l)"
}
printf '| network | image | parameters | activations per image | estimate | measured peak | measured / estimate |\n| --- | --- | --- | --- | --- | --- | --- |\n'
for side in 28 48 64 96; do
  data=$work/shapes-$side
  [ -d "$data" ] || "$tool" dataset shapes -o "$data" --size "$side" --train 2500 --val 0 --test 200 >/dev/null
  for model in "mlp" "cnn" "cnn --batch-norm" "resnet"; do
    row "$data" "${side}x${side} rgb" "$model" $model
  done
done
# The seventeenth run the constants are fitted to: the mlp on the embedded grayscale data, as MemoryEstimateTests trains
# it (the smallest process, so the one that pins the constant part).
row embedded "28x28 gray" "mlp (embedded)" mlp
