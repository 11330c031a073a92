using OnnxReg.Data;

namespace OnnxReg.Pipeline;

/// <summary>
/// The data of one run or of many runs that share it (a study): training, validation and test splits under one
/// normalization estimated on the training split, and where the data came from. Owns the splits' tensors.
/// </summary>
public sealed class RunData : IDisposable
{
    private RunData(string source, string description, Normalization normalization, PreparedSplit train, PreparedSplit validation, PreparedSplit test) =>
        (Source, Description, Normalization, Train, Validation, Test) = (source, description, normalization, train, validation, test);

    /// <summary>Where the data came from: <c>embedded</c>, <c>fashion-mnist</c> or a folder (recorded in each model's metrics).</summary>
    public string Source { get; }

    /// <summary>A sentence on the data, for people.</summary>
    public string Description { get; }

    /// <summary>The normalization estimated on the training split, applied to every split.</summary>
    public Normalization Normalization { get; }

    /// <summary>The images trained on.</summary>
    public PreparedSplit Train { get; }

    /// <summary>The images held out for early stopping, schedules and model selection (may be empty).</summary>
    public PreparedSplit Validation { get; }

    /// <summary>The images a shipped model is judged on.</summary>
    public PreparedSplit Test { get; }

    /// <summary>Prepares the splits: estimates the normalization on <paramref name="train"/> only; each split is normalized
    /// with it when its tensors are first used.</summary>
    /// <exception cref="ArgumentException">The training split is empty or all its pixels are equal.</exception>
    public static RunData Prepare(string source, string description, ImageDataset train, ImageDataset validation, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        var normalization = Normalization.Estimate(train);
        return new RunData(source, description, normalization, PreparedSplit.From("train", train, normalization),
            PreparedSplit.From("validation", validation, normalization), PreparedSplit.From("test", test, normalization, readOnce: true));
    }

    /// <summary>Frees every split's tensors.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
