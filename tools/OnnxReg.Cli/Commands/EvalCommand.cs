using System.CommandLine;
using OnnxReg.Data;
using OnnxReg.Runtime;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary><c>onnxreg eval</c>: evaluates exported models on a dataset with ONNX Runtime and prints a table.</summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var models = new Argument<string[]>("models") { Description = "One or more exported .onnx files", Arity = ArgumentArity.OneOrMore };
        var data = CommonOptions.Data();
        var split = new Option<string>("--split") { Description = "Which part of the dataset: test or train", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var batchSize = new Option<int>("--batch-size") { Description = "Images per ONNX Runtime call", DefaultValueFactory = _ => 256 };

        var command = new Command("eval", "Evaluate exported .onnx models on a dataset with ONNX Runtime") { models, data, split, batchSize };
        command.SetAction(parse => Run(console, parse.GetValue(models)!, parse.GetValue(data)!, parse.GetValue(split)!, parse.GetValue(batchSize)));
        return command;
    }

    private static int Run(CliConsole console, string[] modelPaths, string dataSource, string split, int batchSize)
    {
        if (batchSize is < 1 or > CommonOptions.MaxEvaluationBatch)
            throw new CliException($"--batch-size must be between 1 and {CommonOptions.MaxEvaluationBatch:N0}; received {batchSize}");
        CommonOptions.RequireModelFiles(modelPaths);
        // Only the split evaluated is read: a test evaluation never decompresses the training files.
        var images = split == "train" ? DatasetSource.Load(dataSource).Train : DatasetSource.LoadTest(dataSource);
        var description = DatasetSource.Describe(dataSource);

        var table = new Table().AddColumns("model", "images", "accuracy", "mean loss");
        foreach (var path in modelPaths)
        {
            using var classifier = OnnxClassifier.Load(path);
            var result = Evaluator.Evaluate(classifier, images, batchSize);
            table.AddRow(CliConsole.Cell(path), result.Count.ToString("N0"), CommonOptions.Format(result.Accuracy), CommonOptions.Format(result.MeanLoss));
        }
        console.Line($"data: {description}, {split} split");
        console.Write(table);
        return CliApp.Success;
    }
}
