using OnnxReg.Training;

namespace OnnxReg.Study;

/// <summary>One row group of the study grid: a model and how it is trained before any technique is applied.</summary>
/// <param name="Name">Short name (e.g. <c>mlp</c>, <c>cnn</c>).</param>
/// <param name="Configuration">The base configuration (architecture, optimizer, epochs); techniques are laid over it.</param>
public sealed record StudyModel(string Name, TrainingConfiguration Configuration);
