using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Onnx;
using Spectre.Console;
using OnnxReg.Training.Models;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg summary</c>: the network <c>train</c> would build for an input size, layer by layer with output shapes
/// and parameter counts (Keras' <c>model.summary()</c>), and the training memory it is estimated to need — without
/// loading data or training. It takes <c>train</c>'s options, so a train command line can be checked by changing its
/// verb: the architecture options shape the table, <c>--batch-size</c> the memory estimate, <c>--seed</c> the
/// initialization it builds with, and <c>--write-config</c> writes the configuration and exits, as <c>train</c> does.
/// </summary>
internal static class SummaryCommand
{
    public static Command Create(CliConsole console)
    {
        var binder = new TrainingOptionsBinder();
        var images = new ImageOptionsBinder();
        var classes = new Option<int>("--classes") { Description = "Output classes", DefaultValueFactory = _ => 10 };
        images.Size.Description = "Input image size, SIZE or WIDTHxHEIGHT [default: 28]";
        images.Color.Description = "Input colour: gray (1 channel) or rgb (3) [default: gray]";
        var file = new Argument<string?>("file") { Description = "An exported .onnx file to summarize node by node, or a model file (.json, as --model) [default: the network train's options describe]", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("summary", "Print a network layer by layer with output shapes and parameters: the one train would build for an input size (with the training memory estimate; takes train's options), or an exported .onnx file's") { file };
        foreach (var option in binder.All) command.Add(option);
        command.Add(images.Size);
        command.Add(images.Color);
        command.Add(classes);
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(file);
            if (path is not null && !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                return OnnxSummary(console, path);
            var configuration = binder.Bind(parse, modelFile: path);
            if (binder.WroteConfig(parse, configuration, console))
                return CliApp.Success;
            var (height, width) = (28, 28);
            if (parse.GetValue(images.Size) is { } size)
            {
                try { (height, width) = ImagePreparation.ParseSize(size); }
                catch (FormatException e) { throw new CliException($"--image-size: {e.Message}"); }
            }
            int channels = parse.GetValue(images.Color) == "rgb" ? 3 : 1;
            int classCount = parse.GetValue(classes);
            if (classCount is < 2 or > 256) throw new CliException($"--classes must be 2 to 256; received {classCount}");
            int batchSize = configuration.Training.BatchSize;
            var budget = ModelBudget.Estimate(configuration.Model, channels, height, width, classCount);
            using var model = ModelPresets.Create(configuration.Model, channels, height, width, classCount, configuration.Training.Seed, batchSize);
            console.Line($"model: {RunDescription.Architecture(configuration.Model, channels, height, width)}, {classCount} classes");
            new ModelSummaryTable(console, [channels, height, width]).OnTrainBegin(model);
            console.Line($"training memory estimate at batch {batchSize}: {budget.TrainingBytes(batchSize) / (1024.0 * 1024):N0} MiB " +
                         $"(weights, gradients and Adam's moments: {budget.Parameters * 16 / (1024.0 * 1024):N1} MiB; activations {budget.ActivationsPerSample:N0} values per image)");
            return CliApp.Success;
        });
        return command;
    }

    // An exported file: each node with its output shape (worked out from the graph) and the weights it reads.
    private static int OnnxSummary(CliConsole console, string path)
    {
        if (!File.Exists(path))
            throw new CliException($"'{PrintableText.Escape(path, 200)}' does not exist; give an exported .onnx file or a model file (.json)");
        OnnxFile.CheckLimits(path); // metadata size checked before the protobuf parser copies it
        var proto = OnnxModelSerializer.Read(path);
        var nodes = OnnxNodeShapes.Of(proto);
        var table = new Table().AddColumns("node", "op", "output shape", "weights");
        foreach (var node in nodes)
            table.AddRow(CliConsole.Cell(PrintableText.Escape(node.Name, 80)), CliConsole.Cell(PrintableText.Escape(node.OpType, 40)),
                CliConsole.Cell(node.OutputShape is { } shape ? $"[{string.Join(", ", shape.Select(d => d < 0 ? "N" : d.ToString(CultureInfo.InvariantCulture)))}]" : "?"),
                node.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        console.Line($"model: {PrintableText.Escape(path, 200)}: {nodes.Count} nodes");
        console.Write(table);
        console.Line($"weights: {OnnxWeights.ParameterCount(proto.Graph):N0} values (batch norm's running statistics included)");
        return CliApp.Success;
    }
}
