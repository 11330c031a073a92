#!/usr/bin/env bash
# Image folders larger than memory, trained for one epoch by onnxreg (cnn preset, streamed from disk a batch at a time)
# and by PyTorch (the same network, torchvision's ImageFolder with DataLoader workers), one after the other on the same
# folder: images per second over the epoch, peak memory of the whole process tree (tools/bench/peak_memory.py) and the
# data's size. Then, on a part of the first folder that fits in memory, onnxreg's epoch in memory, streamed from the
# files, and streamed from its decoded cache (--cache); and on 2,000 of the 160 × 160 images, both engines with the
# kernels capped at AVX2 (onnxreg's default) and with the CPU's own, and PyTorch with glibc's huge pages. Prints markdown
# tables for BENCHMARKS.md.
#   bash tools/bench-large-folders.sh [WORK=runs/large-folders]
# The folders (100,000 RGB images of 64 × 64 with 2,000 test images, 20,000 of 160 × 160 with 1,000, made by
# `onnxreg dataset shapes`) are generated once under WORK and reused: about 2 GB of PNG. PyTorch's side is skipped,
# with a note, when Debian's python3-torch and python3-torchvision are not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-runs/large-folders}
mkdir -p "$work"
# ONNXREG: another build of the tool to measure (e.g. a copy, so the tree can be rebuilt while this runs).
[ -n "${ONNXREG:-}" ] || dotnet build -c Release tools/OnnxReg.Cli -v quiet -nologo >/dev/null
tool=${ONNXREG:-tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg}
python=/usr/bin/python3
threads=$(nproc)
have_torch=1
"$python" -c 'import torch, torchvision' 2>/dev/null || have_torch=0
folder() { # NAME SIDE TRAIN TEST SEED
  [ -d "$work/$1" ] || "$tool" dataset shapes -o "$work/$1" --size "$2" --train "$3" --val 0 --test "$4" --seed "$5" >/dev/null
}
folder big64 64 100000 2000 1
folder big160 160 20000 1000 2

measure() { # LABEL COMMAND...: runs it under the memory sampler, keeps its output in $work/LABEL.log
  local label=$1; shift
  "$python" tools/bench/peak_memory.py "$@" >"$work/$label.log" 2>&1 || { tail -5 "$work/$label.log" >&2; exit 1; }
}
field() { grep -o "$2 [0-9.]*" "$work/$1.log" | tail -1 | awk '{print $2}'; }
# onnxreg's epoch line: "epoch   1/1  loss … (123.4 s)"; its images per second are the training images over that time.
onnxreg_seconds() { grep -E "^epoch +1/1 " "$work/$1.log" | grep -oE "\([0-9.]+ s\)" | tr -d '( s)'; }
normalization() { # the per-channel mean and std onnxreg estimated, as "m1,m2,m3 s1,s2,s3"
  grep -o "normalization mean \[[^]]*\], std \[[^]]*\]" "$work/$1.log" | sed -E 's/normalization mean \[([^]]*)\], std \[([^]]*)\]/\1 \2/; s/, /,/g'
}
channels() { "$tool" summary --data "$1" --model cnn --format json | "$python" -c 'import json,sys; m=json.load(sys.stdin)["model"]; print(m.split("conv channels ")[1].split(" ")[0].replace("/", ","))'; }

printf '| folder | data (PNG on disk / decoded) | engine | images/s (epoch) | peak memory (PSS of all processes) | onnxreg wall time incl. normalization pass, test and export |\n| --- | --- | --- | --- | --- | --- |\n'
for spec in "big64 64 100000" "big160 160 20000"; do
  set -- $spec
  name=$1 side=$2 count=$3
  disk=$(du -sm "$work/$name/train" | awk '{print $1}')
  decoded=$(( count * 3 * side * side / 1048576 ))
  start=$(date +%s)
  CI=1 measure "$name-onnxreg" "$tool" train --data "$work/$name" --model cnn --epochs 1 --validation-fraction 0 -o "$work/$name-onnxreg/m.onnx"
  wall=$(( $(date +%s) - start ))
  seconds=$(onnxreg_seconds "$name-onnxreg")
  printf '| %s × %dx%d | %d MiB / %d MiB | onnxreg (streamed) | %.1f | %s MiB | %d s |\n' "$count" "$side" "$side" "$disk" "$decoded" \
    "$(echo "$count / $seconds" | bc -l)" "$(field "$name-onnxreg" peak_pss_mb)" "$wall"
  if [ "$have_torch" = 1 ]; then
    read -r mean std <<<"$(normalization "$name-onnxreg")"
    measure "$name-pytorch" "$python" tools/bench/pytorch_folder.py "$work/$name" "$side" "$(channels "$work/$name")" "$threads" "$threads" "$mean" "$std"
    printf '| %s × %dx%d | %d MiB / %d MiB | PyTorch (ImageFolder, %d workers) | %s | %s MiB | — |\n' "$count" "$side" "$side" "$disk" "$decoded" "$threads" \
      "$(field "$name-pytorch" images_per_second)" "$(field "$name-pytorch" peak_pss_mb)"
  fi
done
[ "$have_torch" = 1 ] || echo "PyTorch comparison skipped: Debian's python3-torch and python3-torchvision are not installed."

# The same kernels on both sides: onnxreg caps libtorch at AVX2 by default (CpuKernels), PyTorch picks what the CPU
# has; so 2,000 of the 160 × 160 images, streamed, with each engine both ways (the caps are the variables CpuKernels sets).
if [ "$have_torch" = 1 ]; then
  echo
  sample=2000
  printf '| %d images of 160x160 from the second folder | kernels | epoch | images/s |\n| --- | --- | --- | --- |\n' "$sample"
  caps=(ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2)
  read -r mean std <<<"$(normalization big160-onnxreg)"
  # pytorch_sample LABEL [VARIABLE=VALUE...]: PyTorch's epoch on the sample, with those variables in its environment.
  pytorch_sample() {
    local label=$1; shift
    env "$@" "$python" tools/bench/peak_memory.py "$python" tools/bench/pytorch_folder.py "$work/big160" 160 \
      "$(channels "$work/big160")" "$threads" "$threads" "$mean" "$std" "$sample" >"$work/$label.log" 2>&1
  }
  for kernels in portable native; do
    label=kernels-onnxreg-$kernels
    env CI=1 ONNXREG_MAX_IN_MEMORY_IMAGES=1K ONNXREG_CPU_KERNELS=$kernels "$python" tools/bench/peak_memory.py "$tool" train --data "$work/big160" \
      --train-size "$sample" --model cnn --epochs 1 --validation-fraction 0 -o "$work/$label/m.onnx" >"$work/$label.log" 2>&1
    seconds=$(onnxreg_seconds "$label")
    printf '| onnxreg (streamed) | %s | %.1f s | %.2f |\n' "$kernels" "$seconds" "$(echo "$sample / $seconds" | bc -l)"
    label=kernels-pytorch-$kernels
    if [ $kernels = portable ]; then env=("${caps[@]}"); else env=(); fi
    pytorch_sample "$label" "${env[@]}"
    printf '| PyTorch (ImageFolder, %d workers) | %s | %s s | %s |\n' "$threads" "$kernels" "$(field "$label" seconds)" "$(field "$label" images_per_second)"
  done
  # onnxreg has libtorch give large tensors huge pages (LibTorchHeap); PyTorch 1.13 has no such switch, but glibc can
  # give every mapped allocation huge pages: the same portable kernels, so the row compares the memory setup alone.
  label=kernels-pytorch-hugetlb
  pytorch_sample "$label" "${caps[@]}" GLIBC_TUNABLES=glibc.malloc.hugetlb=1
  printf '| PyTorch (ImageFolder, %d workers), GLIBC_TUNABLES=glibc.malloc.hugetlb=1 | portable | %s s | %s |\n' "$threads" "$(field "$label" seconds)" "$(field "$label" images_per_second)"
fi

echo
printf '| 20,000 images of 64x64 from the first folder | epoch | images/s | peak memory |\n| --- | --- | --- | --- |\n'
rm -rf "$work/cache"
for mode in memory streamed cache-first cache-again; do
  case $mode in
    memory) env=(); extra=() ;;
    streamed) env=(ONNXREG_MAX_IN_MEMORY_IMAGES=1K); extra=() ;;
    cache-*) env=(ONNXREG_MAX_IN_MEMORY_IMAGES=1K); extra=(--cache "$work/cache") ;;
  esac
  env CI=1 "${env[@]}" "$python" tools/bench/peak_memory.py "$tool" train --data "$work/big64" --train-size 20000 --model cnn --epochs 1 \
    --validation-fraction 0 "${extra[@]}" -o "$work/fit-$mode/m.onnx" >"$work/fit-$mode.log" 2>&1
  seconds=$(onnxreg_seconds "fit-$mode")
  printf '| %s | %.1f s | %.0f | %s MiB |\n' "$mode" "$seconds" "$(echo "20000 / $seconds" | bc -l)" "$(field "fit-$mode" peak_pss_mb)"
done
