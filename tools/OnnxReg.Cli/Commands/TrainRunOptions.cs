using System.CommandLine;

namespace OnnxReg.Cli.Commands;

/// <summary>The options of <c>train</c> that say which data it reads and where it writes (as opposed to the model,
/// regularization and training options of <see cref="TrainingOptionsBinder"/>). <c>summary</c> takes them too, so a
/// train command line is checked by changing its verb alone.</summary>
internal sealed class TrainRunOptions
{
    public Option<string> Data { get; } = CommonOptions.Data();
    public ImageOptionsBinder Images { get; } = new();
    public Option<int> TrainSize { get; } = new("--train-size") { Description = "Use only the first N training images (0: all)", DefaultValueFactory = _ => 0 };
    public Option<double> ValidationFraction { get; } = new("--validation-fraction") { Description = "Fraction of the training images held out for validation, in [0, 1)", DefaultValueFactory = _ => 0.1 };
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Where to write the exported model (the history goes beside it as NAME.history.json)", DefaultValueFactory = _ => "runs/model.onnx" };
    public ExportOptionsBinder Export { get; } = new();
    public Option<string> Checkpoint { get; } = new("--checkpoint") { Description = "Checkpoint file, rewritten atomically after every epoch and on Ctrl+C [default: the output path with .ckpt]" };
    public Option<string> LogDir { get; } = new("--log-dir") { Description = "Also log every epoch to DIR/history.csv (Keras' CSVLogger columns) and as TensorBoard scalars in DIR (tensorboard --logdir DIR) [default: none]" };
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue from the checkpoint; needs the same options and data it was started with [default: off]" };

    /// <summary>In the order <c>--help</c> lists them.</summary>
    public IEnumerable<Option> All => [Data, .. Images.All, TrainSize, ValidationFraction, Output, Checkpoint, Resume, LogDir, .. Export.All];

    /// <summary>The options given that only say where train writes, or how it resumes: accepted by <c>summary</c>,
    /// which writes nothing, and named in its output so that nobody thinks they were used.</summary>
    public IEnumerable<string> WriteOnlyGiven(ParseResult parse) =>
        new Option[] { Output, Checkpoint, Resume, LogDir }.Concat(Export.All)
            .Where(o => parse.GetResult(o) is { Implicit: false })
            .Select(o => o.Name);
}
