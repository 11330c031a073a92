using OnnxReg.Runtime;
using OnnxReg.Training;

namespace OnnxReg.Pipeline;

/// <summary>A model written by the pipeline, verified against the network it came from.</summary>
/// <param name="Path">The <c>.onnx</c> file.</param>
/// <param name="MaxDifference">The largest |output difference| between ONNX Runtime on the file and TorchSharp, over <paramref name="VerifiedOn"/>.</param>
/// <param name="VerifiedOn">The split the two were compared on.</param>
/// <param name="VerifiedImages">How many images the two were compared on.</param>
/// <param name="TorchSharp">The network's own accuracy and mean loss on that split, in evaluation mode.</param>
/// <param name="OnnxRuntime">The file's metrics on that split, measured with ONNX Runtime.</param>
public sealed record VerifiedModel(string Path, double MaxDifference, string VerifiedOn, int VerifiedImages, (double Loss, double Accuracy) TorchSharp, EvaluationResult OnnxRuntime);

/// <summary>Everything one run produced: the history of its training and the verified model file.</summary>
/// <param name="History">Every epoch's metrics and how training ended.</param>
/// <param name="Model">The exported file and its verification.</param>
public sealed record RunOutcome(TrainingHistory History, VerifiedModel Model);
