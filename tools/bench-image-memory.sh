#!/usr/bin/env bash
# Peak memory of training on a large colour image folder against the folder's decoded size: images are kept as
# bytes and normalized one batch at a time, so the peak should be the bytes plus the process's fixed cost (libtorch,
# ONNX Runtime, the .NET runtime), not four times the bytes. Prints a table; rerun with other sizes:
#   bash tools/bench-image-memory.sh [IMAGES=50000] [SIDE=64]
# The folder (about 12 KB of PNG per 64 × 64 image) is generated once under runs/ and reused. Set ONNXREG to
# measure another build of the tool (e.g. an older commit's) on the same folder.
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-50000}
side=${2:-64}
dotnet build -c Release tools/OnnxReg.Cli -v quiet -nologo >/dev/null
tool=${ONNXREG:-tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg}
folder=runs/bench-shapes-$images-$side
[ -d "$folder" ] || "$tool" dataset shapes -o "$folder" --size "$side" --train "$images" --val 1000 --test 1000 >/dev/null
peak() { # peak resident set size in MiB of the command's process
  /usr/bin/time -f "%M" -o runs/bench-memory.time "$@" >/dev/null 2>runs/bench-memory.err || { cat runs/bench-memory.err >&2; exit 1; }
  echo $(( $(tail -1 runs/bench-memory.time) / 1024 ))
}
fixed=$(peak "$tool" train --data embedded --model mlp --hidden 64 --epochs 1 -o runs/bench-memory-embedded.onnx)
trained=$(peak "$tool" train --data "$folder" --model mlp --hidden 64 --epochs 1 -o runs/bench-memory.onnx)
bytes=$(( (images + 2000) * 3 * side * side / 1048576 ))
printf '| run | decoded images | peak RSS | peak − fixed cost | (peak − fixed) / images |\n| --- | --- | --- | --- | --- |\n'
printf '| embedded Fashion-MNIST, 1 MLP epoch (the fixed cost) | 6 MiB | %d MiB | — | — |\n' "$fixed"
printf '| %d + 2,000 images of %dx%d RGB, 1 MLP epoch | %d MiB | %d MiB | %d MiB | %.2f |\n' "$images" "$side" "$side" "$bytes" "$trained" $(( trained - fixed )) \
  "$(echo "scale=2; ($trained - $fixed) / $bytes" | bc)"
