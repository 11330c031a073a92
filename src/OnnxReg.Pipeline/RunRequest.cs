using OnnxReg.Export;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;

namespace OnnxReg.Pipeline;

/// <summary>What one run trains, where it writes the model, and how it is judged.</summary>
/// <param name="Configuration">The model and everything it is trained with.</param>
/// <param name="ModelPath">Where the exported <c>.onnx</c> file goes (written atomically, only once verified).</param>
public sealed record RunRequest(TrainingConfiguration Configuration, string ModelPath)
{
    /// <summary>How the file is written (opset, batch, softmax output, normalization in the graph…); the pipeline
    /// fills in the model description (class names, normalization, configuration, metrics, command).</summary>
    public ExportOptions Export { get; init; } = new();

    /// <summary>The command line that reproduces the run, recorded in the model; null when not run from the command line.</summary>
    public string? Command { get; init; }

    /// <summary>Where training keeps its checkpoint and whether it resumes from it; null for none.</summary>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>Callbacks that observe (and may stop) training, run after early stopping.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = [];

    /// <summary>The split the export is verified on against TorchSharp: <see cref="RunData.Test"/> for a model
    /// that is shipped (the CLI), <see cref="RunData.Validation"/> when the test split must stay untouched until the end (the study).</summary>
    public VerificationSplit VerifyOn { get; init; } = VerificationSplit.Test;
}

/// <summary>Which split an export is verified on.</summary>
public enum VerificationSplit
{
    /// <summary>The test split.</summary>
    Test,

    /// <summary>The validation split (the training split when there is no validation split).</summary>
    Validation,
}
