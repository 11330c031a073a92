using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Runtime;

namespace OnnxReg.Cli.Commands;

/// <summary><c>onnxreg predict</c>: classifies image files with an exported model and prints the most probable classes.</summary>
internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("model") { Description = "The exported .onnx file" };
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP, GIF, TIFF, WebP), or folders whose images (below them only) are all classified; converted to the model's channels and size", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "How many classes to show per image", DefaultValueFactory = _ => 3 };
        var command = new Command("predict", "Classify image files with an exported model (ONNX Runtime) and print the top classes with probabilities") { model, images, top };
        command.SetAction(parse =>
        {
            int count = parse.GetValue(top);
            if (count < 1) throw new CliException($"--top must be at least 1; received {count}");
            using var classifier = OnnxClassifier.Load(parse.GetValue(model)!);
            // Folders are expanded first, so a link leading out of one fails before anything is printed.
            var files = parse.GetValue(images)!.SelectMany(path => Directory.Exists(path) ? ImagesIn(path) : [path]).ToList();
            foreach (var image in files)
            {
                var prediction = classifier.PredictImage(image);
                var best = string.Join(", ", prediction.Top(count).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.ClassName} {t.Probability:0.000}")));
                console.Line($"{image}: {best}");
            }
            return CliApp.Success;
        });
        return command;
    }

    private static IReadOnlyList<string> ImagesIn(string folder)
    {
        var found = ImageFolder.ListImages(folder);
        return found.Count > 0 ? found
            : throw new CliException($"folder {folder} holds no image files ({string.Join(", ", ImageFolder.Extensions)}); give image files or a folder that has some");
    }
}
