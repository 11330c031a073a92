#!/usr/bin/env bash
# What the portable kernel caps cost (CpuKernels: oneDNN, ATen and MKL at AVX2): each preset trained with the default
# (portable) kernels and with ONNXREG_CPU_KERNELS=native, alternately, in fresh processes (libtorch reads the caps when
# it loads). Prints a Markdown table: the median steady-state epoch (epochs after the first) of each, and the median of
# the pairwise portable/native ratios (1.15: the caps make an epoch 15 % longer). On a CPU without AVX-512 both runs use the same
# kernels and the ratio only shows noise.
#   usage: tools/bench-cpu-kernels.sh [PAIRS (default 5)] [PRESET ...]   e.g. tools/bench-cpu-kernels.sh 5 mlp cnn resnet
#   TRAIN_ARGS adds train options to every run, e.g. TRAIN_ARGS="--data fashion-mnist --train-size 20000" for longer
#   epochs than the embedded subset's (an MLP epoch there is 0.1 s, too short to time).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}; shift || true
presets=("$@"); [ ${#presets[@]} -gt 0 ] || presets=(mlp cnn resnet)
dotnet build -c Release tools/OnnxReg.Cli -v quiet -nologo >/dev/null
onnxreg="tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The steady-state epoch of one run: the median of its epochs after the first, from its history.
epoch_seconds() {
  local mode=$1 preset=$2 out="$work/$1-$2"
  ONNXREG_CPU_KERNELS=$mode "$onnxreg" train --model "$preset" --epochs 4 --seed 1 ${TRAIN_ARGS:-} -o "$out.onnx" >/dev/null
  grep -o '"seconds": [0-9.]*' "$out.history.json" | tail -n +2 | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /' >&2 || true
echo "| preset | portable epoch (s) | native epoch (s) | portable / native | pairs |"
echo "| --- | --- | --- | --- | --- |"
for preset in "${presets[@]}"; do
  : > "$work/p"; : > "$work/n"; : > "$work/r"
  for ((i = 1; i <= pairs; i++)); do
    # Alternate which goes first, so a drift in the machine's speed falls on both.
    if (( i % 2 )); then p=$(epoch_seconds portable "$preset"); n=$(epoch_seconds native "$preset")
    else n=$(epoch_seconds native "$preset"); p=$(epoch_seconds portable "$preset"); fi
    echo "$p" >> "$work/p"; echo "$n" >> "$work/n"; awk -v p="$p" -v n="$n" 'BEGIN {print p / n}' >> "$work/r"
    echo "  $preset pair $i: portable $p s, native $n s" >&2
  done
  printf '| %s | %.3f | %.3f | %.3f | %d |\n' "$preset" "$(median < "$work/p")" "$(median < "$work/n")" "$(median < "$work/r")" "$pairs"
done
