using System.CommandLine;
using OnnxReg.Data;
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
        var command = new Command("summary", "Print the network train would build for an input size: each layer's output shape and parameters, the total, and the training memory estimate (takes train's options)");
        foreach (var option in binder.All) command.Add(option);
        command.Add(images.Size);
        command.Add(images.Color);
        command.Add(classes);
        command.SetAction(parse =>
        {
            var configuration = binder.Bind(parse);
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
}
