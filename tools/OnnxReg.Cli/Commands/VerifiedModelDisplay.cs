using OnnxReg.Pipeline;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary>How <c>train</c> and <c>export</c> show a verified model: both measurements side by side, the difference
/// found, and the accuracy of the file that ships.</summary>
internal static class VerifiedModelDisplay
{
    public static void Show(CliConsole console, VerifiedModel model, bool outputsProbabilities)
    {
        var table = new Table().AddColumns($"{model.VerifiedOn} set", "images", "accuracy", "mean loss");
        table.AddRow("TorchSharp, eval mode", model.VerifiedImages.ToString("N0"), CommonOptions.Format(model.TorchSharp.Accuracy), CommonOptions.Format(model.TorchSharp.Loss));
        table.AddRow($"ONNX Runtime, {Markup.Escape(model.Path)}", model.OnnxRuntime.Count.ToString("N0"), CommonOptions.Format(model.OnnxRuntime.Accuracy), CommonOptions.Format(model.OnnxRuntime.MeanLoss));
        console.Write(table);
        console.Line($"exported {model.Path}; max |{(outputsProbabilities ? "probability" : "logit")} difference| vs TorchSharp on the {model.VerifiedOn} set: {model.MaxDifference:0.00e+00}");
        console.Line($"{model.VerifiedOn} accuracy (ONNX Runtime): {CommonOptions.Format(model.OnnxRuntime.Accuracy)}");
    }
}
