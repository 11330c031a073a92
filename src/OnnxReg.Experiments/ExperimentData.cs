using OnnxReg.Data;

namespace OnnxReg.Experiments;

/// <summary>
/// The data plan a study and a tuning run share: read the source with the experiment's image decoding, only as far as
/// the training images it uses (a gzip IDX file is decompressed only that far, an image folder decodes only those),
/// and split them into the first <c>trainSize</c> for training and the next <c>validationSize</c> for validation.
/// </summary>
/// <param name="Source">The source as loaded (its test split, its description).</param>
/// <param name="Train">The training images.</param>
/// <param name="Validation">The validation images, taken from the training split after the training ones.</param>
public sealed record ExperimentData(DatasetPair Source, ImageDataset Train, ImageDataset Validation)
{
    /// <summary>Loads and splits <paramref name="source"/> for an experiment (<paramref name="who"/>: "the study", "tuning").</summary>
    /// <exception cref="ArgumentException">The source has fewer training images than the two sizes ask for.</exception>
    public static ExperimentData Load(string source, ImageFolderOptions images, int trainSize, int validationSize, string who)
    {
        ArgumentNullException.ThrowIfNull(images);
        var pair = DatasetSource.Load(source, images with { TrainLimit = trainSize + validationSize });
        if (pair.Train.Count < trainSize + validationSize)
            throw new ArgumentException(
                $"The data has {pair.Train.Count:N0} training images; {who} needs {trainSize:N0} for training plus {validationSize:N0} for validation. Lower --train-size or --validation-size.");
        return new ExperimentData(pair, pair.Train.Take(trainSize), pair.Train.Subset(Enumerable.Range(trainSize, validationSize).ToArray()));
    }
}
