using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;
using Spectre.Console;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Commands;

/// <summary>Prints the network <c>train</c> is about to train, layer by layer, with its parameter count, as Keras' <c>model.summary()</c> does.</summary>
internal sealed class ModelSummaryTable(CliConsole console, long[] sampleShape) : ITrainingCallback
{
    public void OnTrainBegin(nn.Module model)
    {
        if (model is not nn.Module<Tensor, Tensor> network) return;
        var layers = ModelSummary.Of(network, sampleShape);
        var table = new Table().AddColumns("layer", "type", "output shape", "parameters");
        foreach (var layer in layers)
            table.AddRow(CliConsole.Cell(layer.Name), CliConsole.Cell(layer.Type), CliConsole.Cell($"[{string.Join(", ", layer.OutputShape)}]"), layer.Parameters.ToString("N0"));
        console.Write(table);
        console.Line($"parameters: {ModelSummary.ParameterCount(model):N0}");
    }

    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics) => null;

    public void OnTrainEnd(nn.Module model)
    {
    }
}
