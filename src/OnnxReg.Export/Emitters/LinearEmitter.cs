using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>Linear → <c>Gemm(X, W, B, transB=1)</c> for 2-D input; <c>MatMul</c> with W transposed plus <c>Add</c> for higher ranks.</summary>
public sealed class LinearEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(Linear);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var linear = (Linear)module;
        if (context.InputShape.Length == 2)
        {
            var weight = TensorValues.AddParameter(context, linear.weight!, "weight");
            var inputs = new List<string> { input, weight };
            if (linear.bias is { } bias) inputs.Add(TensorValues.AddParameter(context, bias, "bias"));
            return context.Builder.AddNode("Gemm", context.Path, inputs, OnnxAttribute.Int("transB", 1));
        }
        using var transposed = linear.weight!.detach().t();
        var weightT = TensorValues.AddParameter(context, transposed, "weight_t");
        var product = context.Builder.AddNode("MatMul", context.Path + ".matmul", [input, weightT]);
        if (linear.bias is null) return product;
        var biasName = TensorValues.AddParameter(context, linear.bias, "bias");
        return context.Builder.AddNode("Add", context.Path + ".add", [product, biasName]);
    }
}
