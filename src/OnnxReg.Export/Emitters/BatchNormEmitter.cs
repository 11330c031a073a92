using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// BatchNorm1d / BatchNorm2d → <c>BatchNormalization</c> in inference form: the running mean and variance become
/// constant inputs and no training-mode attribute is written. A BatchNorm without running statistics would
/// normalize each batch by itself (training behaviour), so it is refused.
/// </summary>
public sealed class BatchNormEmitter(Type moduleType) : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType { get; } = moduleType;

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var norm = (BatchNorm)module;
        if (!norm.track_running_stats || norm.running_mean is null || norm.running_var is null)
            throw new ExportNotSupportedException(
                $"{module.GetType().Name} at '{context.Path}' has no running statistics (track_running_stats=false), so it normalizes each batch by itself even in evaluation; it cannot be exported as inference. Create it with track_running_stats: true.");
        long features = norm.num_features;
        var scale = norm.weight is { } w ? TensorValues.AddParameter(context, w, "weight") : context.Builder.AddInitializer($"{context.Path}.weight", Enumerable.Repeat(1f, (int)features).ToArray(), [features]);
        var shift = norm.bias is { } b ? TensorValues.AddParameter(context, b, "bias") : context.Builder.AddInitializer($"{context.Path}.bias", new float[features], [features]);
        var mean = TensorValues.AddParameter(context, norm.running_mean, "running_mean");
        var variance = TensorValues.AddParameter(context, norm.running_var, "running_var");
        return context.Builder.AddNode("BatchNormalization", context.Path, [input, scale, shift, mean, variance],
            OnnxAttribute.Float("epsilon", (float)norm.eps));
    }
}
