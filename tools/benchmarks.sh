#!/usr/bin/env bash
# Measures OnnxReg on this machine and writes BENCHMARKS.md: the in-process benchmarks (onnxreg-bench: training
# throughput vs a minimal TorchSharp loop, augmentation and penalty costs, inference vs ONNX Runtime called directly
# and vs TorchSharp, export time) and process-level ones (peak resident memory of a full-Fashion-MNIST CNN training
# run and of a predict-only process, study wall time).
#   --quick   a smoke run with tiny sizes (CI runs the in-process part this way in a test); figures mean nothing
#   --output F  where to write the report (default BENCHMARKS.md; --quick defaults to stdout only)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; output=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --output) output="$2"; shift ;;
    *) echo "benchmarks.sh: unknown option '$1' (allowed: --quick, --output FILE)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$output" ] || { [ "$quick" -eq 1 ] && output=/dev/stdout || output=BENCHMARKS.md; }
if [ ! -x /usr/bin/time ]; then
  echo "benchmarks.sh: /usr/bin/time is needed for peak-memory figures; install it with: sudo apt-get install time" >&2; exit 1
fi
bash tools/setup.sh >/dev/null
dotnet build -c Release OnnxReg.sln -nologo -v quiet >/dev/null
bin=tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg.dll
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# peak RSS (MiB) and wall seconds of a command, from GNU time
measure() {
  /usr/bin/time -f '%M %e' -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  read -r kib seconds <"$work/time"
  echo "$((kib / 1024)) $seconds"
}

quick_flag=""; [ "$quick" -eq 1 ] && quick_flag="--quick"
echo "benchmarks: in-process suite..." >&2
dotnet tools/OnnxReg.Benchmarks/bin/Release/net10.0/onnxreg-bench.dll $quick_flag >"$work/inprocess.md" 2>"$work/machine"

if [ "$quick" -eq 1 ]; then
  train_args=(--data embedded --train-size 1000); study_args=(--train-size 200 --validation-size 100 --test-size 200 --seeds 1 --models mlp --techniques baseline,l2 --epochs 1)
  train_label="CNN, 1 epoch on 900 embedded images (quick)"
else
  train_args=(--data fashion-mnist); study_args=()
  train_label="CNN, 1 epoch on the full Fashion-MNIST (54,000 train / 6,000 validation / 10,000 test)"
fi
echo "benchmarks: full-data CNN training run..." >&2
read -r train_mib train_s < <(measure dotnet "$bin" train --model cnn --epochs 1 "${train_args[@]}" -o "$work/cnn.onnx")
echo "benchmarks: predict-only process..." >&2
read -r predict_mib predict_s < <(measure dotnet tools/OnnxReg.Example/bin/Release/net10.0/classify.dll models/cnn-regularized.onnx .github/readme/robustness-mlp.png)
rows=""
for model in mlp cnn resnet; do
  echo "benchmarks: train+export process ($model)..." >&2
  read -r mib s < <(measure dotnet "$bin" train --model "$model" --epochs 1 --train-size 500 -o "$work/$model.onnx")
  rows+="| $model, 1 epoch on 450 images, then export and check | $mib MiB | $s s | — |"$'\n'
done
echo "benchmarks: default study..." >&2
read -r study_mib study_s < <(measure dotnet "$bin" study --plain -o "$work/study" "${study_args[@]}")
if [ "$quick" -eq 1 ]; then
  echo "PyTorch comparison not run in quick mode (bash tools/bench-pytorch.sh runs it)." >"$work/pytorch.md"
else
  echo "benchmarks: PyTorch comparison (skipped with a note when python3-torch is absent)..." >&2
  bash tools/bench-pytorch.sh >"$work/pytorch.md"
fi

{
  echo "# Benchmarks"
  echo
  echo "Measured by \`bash tools/benchmarks.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $(date -u +%Y-%m-%d): $(sed -n 's/^machine: //p' "$work/machine")."
  echo "Medians of interleaved repetitions; variants are compared as ratios within one run (the machine is shared and noisy)."
  echo
  cat "$work/inprocess.md"
  echo "### Processes (peak resident memory from GNU time)"
  echo
  echo "| process | peak RSS | wall time | target |"
  echo "| --- | --- | --- | --- |"
  echo "| training: $train_label, export, ONNX Runtime evaluation | $train_mib MiB | $train_s s | < 2,048 MiB: $([ "$train_mib" -lt 2048 ] && echo met || echo missed) |"
  echo "| predict-only: \`classify\` example app loads cnn-regularized.onnx and classifies one PNG | $predict_mib MiB | $predict_s s | < 200 MiB: $([ "$predict_mib" -lt 200 ] && echo met || echo missed) |"
  printf '%s' "$rows"
  echo "| study: \`onnxreg study$([ "$quick" -eq 1 ] && echo " (tiny)")\` (default: 42 runs) | $study_mib MiB | $study_s s | < 300 s: $([ "${study_s%.*}" -lt 300 ] && echo met || echo missed) |"
  echo
  echo "### PyTorch as the anchor (\`bash tools/bench-pytorch.sh\`: same networks, full Fashion-MNIST, alternating runs)"
  echo
  cat "$work/pytorch.md"
} >"$output"
echo "benchmarks: wrote $output" >&2
