using System.CommandLine;
using OnnxReg.Data;
using OnnxReg.Runtime;
using System.Text.Json;
using System.Text.Json.Serialization;
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
        var perClass = new Option<bool>("--per-class") { Description = "Also report the confusion matrix and each class's precision, recall, F1 and support" };
        var format = OutputFormats.Option();
        var otherClassNames = CommonOptions.AllowOtherClassNames();

        var command = new Command("eval", "Evaluate exported .onnx models on a dataset with ONNX Runtime") { models, data, split, batchSize, perClass, format, otherClassNames };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(console, parse.GetValue(models)!, parse.GetValue(data)!, parse.GetValue(split)!, parse.GetValue(batchSize),
            parse.GetValue(perClass), OutputFormats.Parse(parse.GetValue(format)!), parse.GetValue(otherClassNames), cancellation)));
        return command;
    }

    private sealed record ClassFigures(string Class, double Precision, double Recall, double F1, int Support);

    // Metric fields carry the one vocabulary of machine-readable output (MetricNames): the record names its split once.
    private sealed record ModelFigures(string Model, string Data, string Split, int Images,
        [property: JsonPropertyName(MetricNames.Accuracy)] double Accuracy,
        [property: JsonPropertyName(MetricNames.Loss)] double MeanLoss,
        [property: JsonPropertyName(MetricNames.Ece)] double ExpectedCalibrationError,
        IReadOnlyList<ClassFigures>? PerClass, int[][]? ConfusionMatrix);

    private static readonly string[] CsvColumns = ["model", "split", "images", MetricNames.Accuracy, MetricNames.Loss, MetricNames.Ece];

    private static object?[] CsvCells(ModelFigures f) => [f.Model, f.Split, f.Images, f.Accuracy, f.MeanLoss, f.ExpectedCalibrationError];

    private static int Run(CliConsole console, string[] modelPaths, string dataSource, string split, int batchSize, bool perClass, OutputFormat format, bool allowOtherClassNames,
        CancellationToken cancellation)
    {
        if (batchSize is < 1 or > CommonOptions.MaxEvaluationBatch)
            throw new CliException($"--batch-size must be between 1 and {CommonOptions.MaxEvaluationBatch:N0}; received {batchSize}");
        CommonOptions.RequireModelFiles(modelPaths);
        // Only the split evaluated is read: a test evaluation never decompresses the training files.
        var data = new ModelData(dataSource);
        var description = DatasetSource.Describe(dataSource);

        var figures = new List<ModelFigures>();
        foreach (var path in modelPaths)
        {
            using var classifier = OnnxClassifier.Load(path);
            var images = data.For(classifier, split);
            var result = Evaluator.Evaluate(classifier, images, batchSize, allowOtherClassNames, cancellation);
            var classes = perClass
                ? result.Precision.Select((p, c) => new ClassFigures(classifier.ClassNames[c], p, result.Recall[c], result.F1[c], result.Support[c])).ToList()
                : null;
            figures.Add(new ModelFigures(path, description, split, result.Count, result.Accuracy, result.MeanLoss, result.ExpectedCalibrationError,
                classes, perClass ? result.ConfusionMatrix : null));
        }
        switch (format)
        {
            case OutputFormat.Json:
                console.Output.Write(JsonSerializer.Serialize(figures, OutputFormats.Json) + "\n");
                break;
            case OutputFormat.Csv when perClass:
                // One row per model × class; the model's own figures repeat on each of its rows so that no column is lost.
                console.Output.Write(OutputFormats.Csv([.. CsvColumns, "class", "precision", "recall", "f1", "support"],
                    figures.SelectMany(f => f.PerClass!.Select(c => (object?[])[.. CsvCells(f), c.Class, c.Precision, c.Recall, c.F1, c.Support]))));
                break;
            case OutputFormat.Csv:
                console.Output.Write(OutputFormats.Csv(CsvColumns, figures.Select(CsvCells)));
                break;
            default:
                var table = new Table().AddColumns("model", "images", "accuracy", "mean loss");
                foreach (var f in figures)
                    table.AddRow(CliConsole.Cell(f.Model), f.Images.ToString("N0"), CommonOptions.Format(f.Accuracy), CommonOptions.Format(f.MeanLoss));
                console.Line($"data: {description}, {split} split");
                console.Write(table);
                foreach (var f in figures.Where(f => f.PerClass is not null))
                    WritePerClass(console, f);
                break;
        }
        return CliApp.Success;
    }

    private static void WritePerClass(CliConsole console, ModelFigures f)
    {
        console.Line($"{f.Model}: per class");
        var classes = new Table().AddColumns("class", "precision", "recall", "F1", "support");
        foreach (var c in f.PerClass!)
            classes.AddRow(CliConsole.Cell(c.Class), CommonOptions.Format(c.Precision), CommonOptions.Format(c.Recall), CommonOptions.Format(c.F1), c.Support.ToString("N0"));
        console.Write(classes);
        console.Line("confusion matrix (rows: true class, columns: predicted class)");
        var matrix = new Table().AddColumn("true \\ predicted");
        foreach (var c in f.PerClass) matrix.AddColumn(CliConsole.Cell(c.Class));
        for (int t = 0; t < f.ConfusionMatrix!.Length; t++)
            matrix.AddRow([CliConsole.Cell(f.PerClass[t].Class), .. f.ConfusionMatrix[t].Select(v => v.ToString("N0"))]);
        console.Write(matrix);
    }
}
