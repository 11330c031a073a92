using System.CommandLine;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Pipeline;
using OnnxReg.Runtime.Serving;
using OnnxReg.Training;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg export</c>: exports the weights a training checkpoint keeps (early stopping's best epoch, else the last
/// completed one) — again with other export options, or from a run still in progress — verified against TorchSharp
/// on the test set like <c>train</c>'s own export.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A checkpoint written by 'onnxreg train' (NAME.ckpt beside the model), or with --triton an exported .onnx model" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the model [default: the checkpoint path with .onnx]" };
        var data = CommonOptions.Data();
        data.Description = "Data whose test set checks the export and measures it: embedded, fashion-mnist, or a folder; the images must have the checkpoint's shape and classes";
        var exportBinder = new ExportOptionsBinder();
        var triton = new Option<string>("--triton") { Description = "Also write the model into this Triton Inference Server model repository (NAME/1/model.onnx, config.pbtxt, labels.txt) [default: none]" };
        var tritonName = new Option<string>("--triton-name") { Description = "The model's name in the Triton repository [default: the model file's name]" };
        var tritonMaxBatch = new Option<int>("--triton-max-batch") { Description = "Largest batch Triton's dynamic batcher forms (models with a dynamic batch)", DefaultValueFactory = _ => TritonRepository.DefaultMaxBatchSize };
        var command = new Command("export", "Export a training checkpoint to ONNX (the best or last completed epoch), verified against TorchSharp; or package a model for Triton")
            { checkpoint, output, data, triton, tritonName, tritonMaxBatch };
        foreach (var option in exportBinder.All) command.Add(option);
        command.SetAction(parse =>
        {
            var options = exportBinder.Bind(parse);
            var path = parse.GetValue(checkpoint)!;
            var tritonFolder = parse.GetValue(triton);
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
            {
                if (tritonFolder is null)
                    throw new CliException($"{path} is an ONNX model, not a checkpoint: export reads the NAME.ckpt that 'onnxreg train' writes beside the model; to package this model for Triton add --triton DIR");
                if (parse.GetResult(output) is { Implicit: false })
                    throw new CliException("--output does not apply when packaging an existing .onnx model for Triton; the model is copied into the repository as it is");
                WriteTriton(console, path, tritonFolder, parse.GetValue(tritonName), parse.GetValue(tritonMaxBatch));
                return CliApp.Success;
            }
            var outputPath = parse.GetValue(output) ?? Path.ChangeExtension(path, ".onnx");
            if (Path.GetFullPath(outputPath) == Path.GetFullPath(path))
                throw new CliException($"--output must differ from the checkpoint; received {outputPath}");
            if (!File.Exists(path))
                throw new CliException($"checkpoint {path} does not exist; 'onnxreg train' writes NAME.ckpt beside the model (or where --checkpoint says)");
            CommonOptions.RequireWritable("--output", outputPath);
            using var outputLock = OutputLock.Acquire(outputPath, CommandLine.Format(parse.Tokens.Select(t => t.Value)));

            using var saved = TrainingCheckpoint.Load(path);
            if (saved.KeptEpoch is not int kept)
                throw new CliException($"checkpoint {path} was written before any epoch completed; there are no trained weights to export yet");
            var test = ModelData.LoadTest(parse.GetValue(data)!, saved.ImagePreparation);
            console.Line($"checkpoint {path}: {saved.Describe()}; exporting the weights of epoch {kept}");
            var model = RunPipeline.ExportCheckpoint(saved, test, outputPath, options);
            VerifiedModelDisplay.Show(console, model, options.SoftmaxOutput);
            if (tritonFolder is not null)
                WriteTriton(console, outputPath, tritonFolder, parse.GetValue(tritonName), parse.GetValue(tritonMaxBatch));
            return CliApp.Success;
        });
        return command;
    }

    private static void WriteTriton(CliConsole console, string model, string repository, string? name, int maxBatch)
    {
        TritonModel written;
        try
        {
            written = TritonRepository.Write(model, repository, name, maxBatch);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--triton-name/--triton-max-batch: {ErrorMessages.OneLine(e)}");
        }
        console.Line($"Triton model '{written.Name}' written to {written.ModelFolder} (1/model.onnx, config.pbtxt, labels.txt); serve it with: tritonserver --model-repository={repository}");
    }
}
