using OnnxReg.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Models;

/// <summary>One row of <see cref="ModelSummary"/>: a layer, what it outputs for one sample, and its parameters.</summary>
/// <param name="Name">The layer's path in the network (<c>features.conv1</c>).</param>
/// <param name="Type">The module type (<c>Conv2d</c>, <c>Linear</c>, <c>ResidualBlock</c>…).</param>
/// <param name="OutputShape">Its output for a batch of one, batch dimension included.</param>
/// <param name="Parameters">Trainable and frozen scalars it holds itself (its sub-modules' included).</param>
public sealed record LayerSummary(string Name, string Type, long[] OutputShape, long Parameters);

/// <summary>
/// Keras' <c>model.summary()</c> for a TorchSharp network: each layer of a <c>Sequential</c> (nested ones opened) with
/// its output shape (residual blocks opened too: body, shortcut, then the sum), found by running one blank sample through the network in evaluation mode, and its parameter count.
/// </summary>
public static class ModelSummary
{
    /// <summary>The layers of <paramref name="model"/> for inputs of <paramref name="sampleShape"/> (without the batch dimension).</summary>
    /// <exception cref="ArgumentException">The model rejects an input of that shape.</exception>
    public static IReadOnlyList<LayerSummary> Of(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var rows = new List<LayerSummary>();
            Walk(model, "", zeros([1, .. sampleShape]), rows);
            return rows;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Scalars in <paramref name="module"/>'s parameters.</summary>
    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());

    private static Tensor Walk(nn.Module<Tensor, Tensor> module, string path, Tensor input, List<LayerSummary> rows)
    {
        if (module is TorchSharp.Modules.Sequential sequential)
        {
            foreach (var (name, child) in sequential.named_children())
            {
                if (child is not nn.Module<Tensor, Tensor> layer)
                    throw new ArgumentException($"Layer '{Join(path, name)}' ({child.GetType().Name}) does not map a tensor to a tensor.");
                input = Walk(layer, Join(path, name), input, rows);
            }
            return input;
        }
        if (module is ResidualBlock block)
        {
            // Opened like a Sequential: the body's layers, the shortcut's, then the sum (its parameters are its children's).
            var body = Walk(block.Body, Join(path, "body"), input, rows);
            var shortcut = block.Shortcut is { } projection ? Walk(projection, Join(path, "shortcut"), input, rows) : input;
            var sum = body.add(shortcut);
            rows.Add(new LayerSummary(path, $"{nameof(ResidualBlock)} (sum)", sum.shape, 0));
            return sum;
        }
        var output = module.forward(input);
        rows.Add(new LayerSummary(path.Length == 0 ? module.GetType().Name.ToLowerInvariant() : path, module.GetType().Name, output.shape, ParameterCount(module)));
        return output;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
