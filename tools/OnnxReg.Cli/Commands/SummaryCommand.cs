using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Onnx;
using Spectre.Console;
using OnnxReg.Training;
using OnnxReg.Training.Models;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg summary</c>: the network <c>train</c> would build for an input size, layer by layer with output shapes
/// and parameter counts (Keras' <c>model.summary()</c>), and the training memory it is estimated to need — without
/// training. It takes every one of <c>train</c>'s options, so a train command line is checked by changing its verb:
/// the architecture options shape the table, <c>--data</c> (when given) the input (read from the data's first
/// training image and its classes, decoded as train would), <c>--batch-size</c> the memory estimate, <c>--seed</c> the
/// initialization it builds with, and <c>--write-config</c> writes the configuration and exits, as <c>train</c> does.
/// The options that only say where train writes (<c>-o</c>, <c>--checkpoint</c>, …) change nothing, and are named.
/// </summary>
internal static class SummaryCommand
{
    private sealed record LayerRow(string Name, string Type, long[] OutputShape, long Parameters);

    private sealed record NetworkFigures(string Model, int[] Input, int Classes, IReadOnlyList<LayerRow> Layers, long Parameters, int BatchSize,
        long PeakMemoryBytes, long ActivationsPerImage, string? Data);

    private sealed record NodeRow(string Name, string Op, long[]? OutputShape, long Weights);

    private sealed record FileFigures(string Model, IReadOnlyList<NodeRow> Nodes, long Weights);

    public static Command Create(CliConsole console)
    {
        var binder = new TrainingOptionsBinder();
        var run = new TrainRunOptions();
        var classes = new Option<int>("--classes") { Description = "Output classes, without --data", DefaultValueFactory = _ => 10 };
        run.Images.Size.Description = "Input image size, SIZE or WIDTHxHEIGHT (with --data: decode the folder at it, as train does) [default: 28, or the data's]";
        run.Images.Color.Description = "Input colour: gray (1 channel) or rgb (3) (with --data: decode the folder as it, as train does) [default: gray, or the data's]";
        run.Data.Description = "Read the input's shape and classes from this dataset, as train would (" + run.Data.Description + ") [default: --image-size, --color and --classes]";
        var format = OutputFormats.Option(csv: false);
        var file = new Argument<string?>("file") { Description = "An exported .onnx file to summarize node by node, or a model file (.json, as --model) [default: the network train's options describe]", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("summary", "Print a network layer by layer with output shapes and parameters: the one train would build for its options and data (with the training memory estimate), or an exported .onnx file's") { file };
        foreach (var option in binder.All) command.Add(option);
        foreach (var option in run.All) command.Add(option);
        command.Add(classes);
        command.Add(format);
        command.SetAction(parse =>
        {
            bool json = OutputFormats.Parse(parse.GetValue(format)!) == OutputFormat.Json;
            string? path = parse.GetValue(file);
            if (path is not null && !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                return OnnxSummary(console, path, json);
            var configuration = binder.Bind(parse, modelFile: path);
            if (binder.WroteConfig(parse, configuration, console))
                return CliApp.Success;
            var (channels, height, width, classCount, data, dataBytes) = InputShape(parse, run, classes, console);
            int batchSize = configuration.Training.BatchSize;
            var budget = ModelBudget.Estimate(configuration.Model, channels, height, width, classCount);
            using var model = ModelPresets.Create(configuration.Model, channels, height, width, classCount, configuration.Training.Seed, batchSize);
            var layers = ModelSummary.Of(model, [channels, height, width]);
            var figures = new NetworkFigures(RunDescription.Architecture(configuration.Model, channels, height, width), [channels, height, width], classCount,
                layers.Select(l => new LayerRow(l.Name, l.Type, l.OutputShape, l.Parameters)).ToList(), ModelSummary.ParameterCount(model), batchSize,
                budget.PeakBytes(batchSize, dataBytes), budget.ActivationsPerSample, data);
            if (json)
            {
                console.Output.Write(JsonSerializer.Serialize(figures, OutputFormats.Json) + "\n");
                return CliApp.Success;
            }
            if (data is not null) console.Line($"data: {data}");
            console.Line($"model: {figures.Model}, {classCount} classes");
            var table = new Table().AddColumns("layer", "type", "output shape", "parameters");
            foreach (var layer in layers)
                table.AddRow(CliConsole.Cell(layer.Name), CliConsole.Cell(layer.Type), CliConsole.Cell($"[{string.Join(", ", layer.OutputShape)}]"), layer.Parameters.ToString("N0"));
            console.Write(table);
            console.Line($"parameters: {figures.Parameters:N0}");
            console.Line(MemoryEstimate.Describe(budget, batchSize, dataBytes));
            if (run.WriteOnlyGiven(parse).ToList() is { Count: > 0 } unused)
                console.Line($"not used by summary (it writes nothing): {string.Join(", ", unused)}");
            return CliApp.Success;
        });
        return command;
    }

    // The input train would see: read from --data when it is given (one training image decoded, with train's image
    // options, for its shape; the classes from the dataset), else from --image-size, --color and --classes.
    // With --data, also the bytes its splits will hold in memory as train holds them (an image folder's training images
    // are counted, not decoded; --train-size bounds them).
    private static (int Channels, int Height, int Width, int Classes, string? Data, long DataBytes) InputShape(ParseResult parse, TrainRunOptions run, Option<int> classes, CliConsole console)
    {
        if (parse.GetResult(run.Data) is { Implicit: false })
        {
            if (parse.GetResult(classes) is { Implicit: false })
                throw new CliUsageException("--classes cannot be combined with --data: the classes are the data's. Leave one of them out");
            var source = parse.GetValue(run.Data)!;
            bool folder = DatasetSource.IsImageFolder(source);
            var pair = DatasetSource.Load(source, folder ? run.Images.Bind(parse, console) with { TrainLimit = 1 } : run.Images.Bind(parse, console));
            var train = pair.Train;
            int trainSize = parse.GetValue(run.TrainSize);
            long trainCount = trainSize > 0 ? Math.Min(trainSize, pair.TrainAvailable) : pair.TrainAvailable;
            long bytes = TensorDataset.HeldBytes(trainCount, train.SampleSize, streamed: !ResourceLimits.FitsInMemory(trainCount * train.SampleSize))
                + TensorDataset.HeldBytes(pair.Test.Count, pair.Test.SampleSize, pair.Test.IsStreamed, cachesFloats: false)
                + (pair.Validation is { } validation ? TensorDataset.HeldBytes(validation.Count, validation.SampleSize, validation.IsStreamed) : 0);
            return (train.Channels, train.Height, train.Width, train.ClassNames.Count, DatasetSource.Describe(source), bytes);
        }
        var (height, width) = (28, 28);
        if (parse.GetValue(run.Images.Size) is { } size)
        {
            try { (height, width) = ImagePreparation.ParseSize(size); }
            catch (FormatException e) { throw new CliException($"--image-size: {e.Message}"); }
        }
        int classCount = parse.GetValue(classes);
        if (classCount is < 2 or > 256) throw new CliException($"--classes must be 2 to 256; received {classCount}");
        return (parse.GetValue(run.Images.Color) == "rgb" ? 3 : 1, height, width, classCount, null, 0);
    }

    // An exported file: each node with its output shape (worked out from the graph) and the weights it reads.
    private static int OnnxSummary(CliConsole console, string path, bool json)
    {
        if (!File.Exists(path))
            throw new CliException($"'{PrintableText.Escape(path, 200)}' does not exist; give an exported .onnx file or a model file (.json)");
        OnnxFile.CheckLimits(path); // metadata size checked before the protobuf parser copies it
        var proto = OnnxModelSerializer.Read(path);
        var nodes = OnnxNodeShapes.Of(proto);
        long weights = OnnxWeights.ParameterCount(proto.Graph);
        if (json)
        {
            // Names from a stranger's file: JSON escapes control characters itself, so they are written as they are.
            var figures = new FileFigures(path, nodes.Select(n => new NodeRow(n.Name, n.OpType, n.OutputShape, n.Parameters)).ToList(), weights);
            console.Output.Write(JsonSerializer.Serialize(figures, OutputFormats.Json) + "\n");
            return CliApp.Success;
        }
        var table = new Table().AddColumns("node", "op", "output shape", "weights");
        foreach (var node in nodes)
            table.AddRow(CliConsole.Cell(PrintableText.Escape(node.Name, 80)), CliConsole.Cell(PrintableText.Escape(node.OpType, 40)),
                CliConsole.Cell(node.OutputShape is { } shape ? $"[{string.Join(", ", shape.Select(d => d < 0 ? "N" : d.ToString(CultureInfo.InvariantCulture)))}]" : "?"),
                node.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        console.Line($"model: {PrintableText.Escape(path, 200)}: {nodes.Count} nodes");
        console.Write(table);
        console.Line($"weights: {weights:N0} values (batch norm's running statistics included)");
        return CliApp.Success;
    }
}
