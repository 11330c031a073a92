#!/usr/bin/env bash
# Rebuilds the reference models in models/ from the embedded data and writes their baselines. Deterministic for the
# fixed seeds on the same machine (TorchSharp on CPU); each model records its exact command in its metadata and
# baseline. Run after changing the trainer or the exporter on purpose, then review and commit models/.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release tools/OnnxReg.Cli -v quiet -nologo
onnxreg() { dotnet tools/OnnxReg.Cli/bin/Release/net10.0/onnxreg.dll "$@"; }
onnxreg train --model mlp --hidden 128,64 --epochs 8 --seed 1 -o models/mlp-plain.onnx
onnxreg train --model mlp --hidden 128,64 --dropout 0.3 --l2 1e-4 --augment hflip,translate=0.05 --early-stopping --patience 3 --epochs 8 --seed 1 -o models/mlp-regularized.onnx
onnxreg train --model cnn --channels 16,32 --hidden 64 --epochs 4 --seed 1 -o models/cnn-plain.onnx
onnxreg train --model cnn --channels 16,32 --hidden 64 --dropout 0.3 --spatial-dropout 0.1 --batch-norm --l2 1e-4 --augment hflip,rotate=10,scale=0.9:1.1 --early-stopping --patience 2 --epochs 4 --seed 1 -o models/cnn-regularized.onnx
rm -f models/*.history.json models/*.ckpt models/.*.lock  # the command, configuration and metrics live in each model and baseline; checkpoints and lock files are scratch
onnxreg regress models --write-baselines
onnxreg regress models
