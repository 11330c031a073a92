using OnnxReg.Data;
using OnnxReg.Export;
using OnnxReg.Runtime;
using OnnxReg.Study;
using OnnxReg.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// The last step of <c>train</c> and <c>export</c>: write the model only once ONNX Runtime agrees with TorchSharp on
/// the test set, then print both measurements side by side.
/// </summary>
internal static class VerifiedExport
{
    public static void Run(CliConsole console, nn.Module<Tensor, Tensor> network, string output, ExportOptions options, ImageDataset testImages, TensorDataset testTensors)
    {
        var torchTest = Trainer.Evaluate(network, testTensors);
        long[] sampleShape = [testImages.Channels, testImages.Height, testImages.Width];
        EvaluationResult onnxTest = null!;
        double maxDifference = ExportVerification.ExportVerified(network, sampleShape, output, options, testImages, testTensors,
            onVerified: classifier => onnxTest = Evaluator.Evaluate(classifier, testImages));

        var table = new Table().AddColumns("test set", "images", "accuracy", "mean loss");
        table.AddRow("TorchSharp, eval mode", testTensors.Count.ToString("N0"), CommonOptions.Format(torchTest.Accuracy), CommonOptions.Format(torchTest.Loss));
        table.AddRow($"ONNX Runtime, {Markup.Escape(output)}", onnxTest.Count.ToString("N0"), CommonOptions.Format(onnxTest.Accuracy), CommonOptions.Format(onnxTest.MeanLoss));
        console.Write(table);
        console.Line($"exported {output}; max |{(options.SoftmaxOutput ? "probability" : "logit")} difference| vs TorchSharp on the test set: {maxDifference:0.00e+00}");
        console.Line($"test accuracy (ONNX Runtime): {CommonOptions.Format(onnxTest.Accuracy)}");
    }
}
