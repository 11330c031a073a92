using OnnxReg.Training;
using OnnxReg.Training.Models;
using OnnxReg.Training.Models.Layers;

namespace OnnxReg.Study;

/// <summary>One row group of the study grid: a model and how it is trained before any technique is applied.</summary>
/// <param name="Name">Short name (e.g. <c>mlp</c>, <c>cnn</c>).</param>
/// <param name="Configuration">The base configuration (architecture, optimizer, epochs); techniques are laid over it.</param>
public sealed record StudyModel(string Name, TrainingConfiguration Configuration)
{
    /// <summary>
    /// A model file's network as a study model, trained as the default CNN is (12 epochs, Adam, batch 64). Its dropout
    /// and Dropout2d layers are set to 0 in the base configuration, so the baseline is unregularized and the dropout
    /// techniques set the rates (the file's own rates are used by <c>train</c>); batch norm layers stay, being part of
    /// the architecture.
    /// </summary>
    public static StudyModel FromModelFile(string name, NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var model = new ModelOptions(ModelPreset.Custom, Layers: network,
            DropoutRates: network.DropoutCount > 0 ? [0] : null, SpatialDropoutRates: network.SpatialDropoutCount > 0 ? [0] : null);
        return new StudyModel(name, new TrainingConfiguration { Model = model, Training = new TrainingOptions(Epochs: 12, BatchSize: 64) });
    }
}
