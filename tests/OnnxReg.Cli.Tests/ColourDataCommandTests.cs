using System.Globalization;
using System.Text.RegularExpressions;
using OnnxReg.Data;
using OnnxReg.Data.Images;
using OnnxReg.Runtime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Cli.Tests;

/// <summary>Colour image folders of any size on the command line: generate, train with colour augmentation, export,
/// predict photos of other sizes exactly as training prepared its images, evaluate, and study.</summary>
public class ColourDataCommandTests : TempFolderTest
{
    private string Shapes(int size = 24, int train = 300, int validation = 100, int test = 100)
    {
        var folder = Path.Combine(Folder, "shapes");
        var run = CliRun.Of("dataset", "shapes", "-o", folder, "--size", $"{size}", "--train", $"{train}", "--val", $"{validation}", "--test", $"{test}");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain($"wrote {folder}: train {train}, val {validation}, test {test} images of {size}x{size} rgb in 10 classes (circle, square"));
        return folder;
    }

    private static double TestAccuracy(CliRun run) =>
        double.Parse(Regex.Match(run.Output, @"test accuracy \(ONNX Runtime\): ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    [Test]
    public void ACnnTrainedOnColourShapes_RecordsHowImagesArePrepared_AndPredictsPhotosOfAnySizeAsTrainingDid()
    {
        var data = Shapes();
        var model = Path.Combine(Folder, "cnn.onnx");
        var train = CliRun.Of("train", "--data", data, "--model", "cnn", "--epochs", "2", "--dropout", "0.3", "--image-size", "32x24", "--resize", "crop",
            "--augment", "hflip,jitter=0.3:0.3:0.3:0.05,gray@0.2", "-o", model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Output, Does.Contain("300 train / 100 val / 100 test, 10 classes, 32x24 rgb, crop; inferred: colour (from the first image of each class))"));
        Assert.That(train.Output, Does.Contain("validating on 100 (val/)"));
        Assert.That(train.Output, Does.Match(@"normalization mean \[0\.\d+, 0\.\d+, 0\.\d+\], std \[0\.\d+, 0\.\d+, 0\.\d+\]"));
        Assert.That(train.Output, Does.Contain("model: cnn, conv channels 32/64 for 3x24x32 input"));
        Assert.That(train.Output, Does.Contain("jitter=0.3:0.3:0.3:0.05@1,gray@0.2"));

        using var classifier = OnnxClassifier.Load(model);
        Assert.That(classifier.Description.Image, Is.EqualTo(new ImagePreparation(ColorMode.Rgb, 24, 32, ResizePolicy.Crop)));
        Assert.That(classifier.Description.Normalization!.Means, Has.Count.EqualTo(3));

        // A photo of another size and aspect: predict crops and resizes it as training did.
        var photo = Path.Combine(Folder, "photo.jpg");
        using (var image = new Image<Rgb24>(90, 40))
        {
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 90; x++)
                    image[x, y] = new Rgb24((byte)(x * 2), (byte)(y * 5), (byte)((x + y) % 256));
            image.SaveAsJpeg(photo);
        }
        var expected = classifier.Predict(ImageInput.Load(photo, new ImagePreparation(ColorMode.Rgb, 24, 32, ResizePolicy.Crop)));
        var stretched = classifier.Predict(ImageInput.Load(photo, new ImagePreparation(ColorMode.Rgb, 24, 32, ResizePolicy.Stretch)));
        Assert.That(stretched.Probabilities, Is.Not.EqualTo(expected.Probabilities), "the policies give different inputs, so the check below can tell them apart");
        var predict = CliRun.Of("predict", model, photo, "--top", "1");
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        var top = expected.Top(1).Single();
        Assert.That(predict.Output.Trim(), Is.EqualTo(string.Create(CultureInfo.InvariantCulture, $"{photo}: {top.ClassName} {top.Probability:0.000}")));

        // eval decodes the folder with the model's own preparation and gives the figure train printed.
        var eval = CliRun.Of("eval", model, "--data", data, "--format", "csv");
        Assert.That(eval.ExitCode, Is.EqualTo(0), eval.Error);
        var lines = eval.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var row = lines[1].Split(',');
        int accuracy = Array.IndexOf(lines[0].Split(','), "accuracy");
        Assert.That(double.Parse(row[accuracy], CultureInfo.InvariantCulture), Is.EqualTo(TestAccuracy(train)).Within(1e-4));

        // So does regress: the baseline it writes is the accuracy train printed, and the check passes on it.
        var baseline = CliRun.Of("regress", Folder, "--data", data, "--write-baselines");
        Assert.That(baseline.ExitCode, Is.EqualTo(0), baseline.Error);
        Assert.That(baseline.Output, Does.Contain(string.Create(CultureInfo.InvariantCulture, $"accuracy {TestAccuracy(train):0.0000}, ")));
        var regress = CliRun.Of("regress", Folder, "--data", data);
        Assert.That(regress.ExitCode, Is.EqualTo(0), regress.Error);
    }

    [Test]
    public void AResNetTrainsOnColourImages_AndAStudyRunsOnTheFolder()
    {
        var data = Shapes(size: 20, train: 200, validation: 50, test: 50);
        var resnet = CliRun.Of("train", "--data", data, "--model", "resnet", "--epochs", "1", "--augment", "jitter=0.2", "-o", Path.Combine(Folder, "resnet.onnx"));
        Assert.That(resnet.ExitCode, Is.EqualTo(0), resnet.Error);
        Assert.That(TestAccuracy(resnet), Is.InRange(0.0, 1.0));

        var report = Path.Combine(Folder, "study");
        var study = CliRun.Of("study", "--data", data, "--models", "cnn", "--techniques", "baseline,dropout", "--seeds", "1", "--epochs", "1",
            "--train-size", "150", "--validation-size", "50", "-o", report, "--plain");
        Assert.That(study.ExitCode, Is.EqualTo(0), study.Error);
        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.That(markdown, Does.Contain("20x20 rgb"));
        Assert.That(markdown, Does.Contain("| dropout |"));
    }

    [Test]
    public void Summary_PrintsThePresetAsBuiltForTheInput_WithParametersAndMemory()
    {
        var cnn = CliRun.Of("summary", "--model", "cnn", "--image-size", "64", "--color", "rgb");
        Assert.That(cnn.ExitCode, Is.EqualTo(0), cnn.Error);
        Assert.That(cnn.Output, Does.Contain("model: cnn, conv channels 32/64/128 (deepened for the image size) for 3x64x64 input, 10 classes"));
        Assert.That(cnn.Output, Does.Contain("features.conv3").And.Contain("[1, 128, 16, 16]").And.Contain("[1, 8192]"));
        Assert.That(cnn.Output, Does.Contain("parameters: 1,143,242"), "the CNN the study trained on 64 × 64 RGB shapes");
        Assert.That(cnn.Output, Does.Match(@"estimated peak memory at batch 128: [\d.]+ [MG]iB"));
        var mlp = CliRun.Of("summary", "--model", "mlp");
        Assert.That(mlp.Output, Does.Contain("model: mlp for 1x28x28 input").And.Contain("parameters: 235,146"), "784-256-128-10, as the README's study table says");
        Assert.That(CliRun.Of("summary", "--classes", "1").AssertOneLineError(), Does.Contain("--classes must be 2 to 256; received 1"));
    }

    [Test]
    public void Summary_TakesATrainCommandLineWithItsVerbChanged_ReadingTheInputFromTheData()
    {
        var data = Shapes(size: 20, train: 30, validation: 10, test: 10);
        var output = Path.Combine(Folder, "never.onnx");
        string[] trainLine = ["--data", data, "--model", "cnn", "--image-size", "24x16", "--train-size", "30", "-o", output, "--log-dir", Path.Combine(Folder, "logs"), "--fixed-batch", "4"];
        var text = CliRun.Of(["summary", .. trainLine]);
        Assert.That(text.ExitCode, Is.EqualTo(0), text.Error);
        Assert.That(text.Output, Does.Contain("for 3x16x24 input, 10 classes"), "rgb shapes decoded at --image-size 24x16 (width x height), as train would");
        Assert.That(text.Output, Does.Contain("not used by summary (it writes nothing): --output, --log-dir, --fixed-batch"));
        Assert.That(File.Exists(output) || Directory.Exists(Path.Combine(Folder, "logs")), Is.False, "summary writes nothing");

        var json = CliRun.Of(["summary", .. trainLine, "--format", "json"]);
        Assert.That(json.ExitCode, Is.EqualTo(0), json.Error);
        using var figures = System.Text.Json.JsonDocument.Parse(json.Output); // nothing but JSON
        var root = figures.RootElement;
        Assert.That(root.GetProperty("input").EnumerateArray().Select(d => d.GetInt32()), Is.EqualTo(new[] { 3, 16, 24 }));
        Assert.That(root.GetProperty("classes").GetInt32(), Is.EqualTo(10));
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers.Sum(l => l.GetProperty("parameters").GetInt64()), Is.EqualTo(root.GetProperty("parameters").GetInt64()));
        Assert.That(text.Output, Does.Contain($"parameters: {root.GetProperty("parameters").GetInt64():N0}"), "the table and the JSON say the same");
        Assert.That(root.GetProperty("peakMemoryBytes").GetInt64(), Is.GreaterThan(0));

        Assert.That(CliRun.Of("summary", "--data", data, "--classes", "3").AssertOneLineError(expectedExitCode: 2), Does.Contain("--classes cannot be combined with --data"));
        var onnx = CliRun.Of("summary", Path.Combine(OnnxReg.Tests.Shared.RepositoryPaths.Root, "models", "mlp-plain.onnx"), "--format", "json");
        using var file = System.Text.Json.JsonDocument.Parse(onnx.Output);
        Assert.That(file.RootElement.GetProperty("weights").GetInt64(), Is.EqualTo(109_386));
        Assert.That(file.RootElement.GetProperty("nodes")[0].GetProperty("op").GetString(), Is.EqualTo("Flatten"));
    }

    [Test]
    public void DatasetCommands_RefuseAnExistingFolderAndBadSizes_InOneLine()
    {
        var existing = Directory.CreateDirectory(Path.Combine(Folder, "mine")).FullName;
        Assert.That(CliRun.Of("dataset", "shapes", "-o", existing).AssertOneLineError(), Does.Contain("already exists; choose a new folder"));
        Assert.That(CliRun.Of("dataset", "export", "-o", existing).AssertOneLineError(), Does.Contain("already exists"));
        Assert.That(CliRun.Of("dataset", "shapes", "-o", Path.Combine(Folder, "x"), "--size", "8").AssertOneLineError(), Does.Contain("--size must be 16 to 512 pixels; received 8"));
        Assert.That(CliRun.Of("train", "--image-size", "64x", "--epochs", "1").AssertOneLineError(), Does.Contain("--image-size: Image size '64x' is not SIZE or WIDTHxHEIGHT"));
        Assert.That(CliRun.Of("train", "--color", "rgb", "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError(),
            Does.Contain("holds grayscale IDX images; --color rgb needs an image folder"));
        Assert.That(CliRun.Of("train", "--color", "cmyk").AssertOneLineError(CliApp.UsageError), Does.Contain("'cmyk' is not one of gray, rgb"));
    }

    [Test]
    public void FashionMnistWrittenAsPngFolders_TrainsLikeTheIdxFiles()
    {
        var folder = Path.Combine(Folder, "fashion");
        var written = CliRun.Of("dataset", "export", "-o", folder);
        Assert.That(written.ExitCode, Is.EqualTo(0), written.Error);
        Assert.That(written.Output, Does.Contain("train 6,000, test 2,000 images of 28x28 gray in 10 classes (T-shirt-top, Trouser"));
        string[] common = ["--model", "mlp", "--epochs", "3", "--seed", "5"];
        var fromFolder = CliRun.Of(["train", "--data", folder, .. common, "-o", Path.Combine(Folder, "folder.onnx")]);
        var fromIdx = CliRun.Of(["train", "--data", "embedded", .. common, "-o", Path.Combine(Folder, "idx.onnx")]);
        Assert.That(fromFolder.ExitCode, Is.EqualTo(0), fromFolder.Error);
        Assert.That(fromIdx.ExitCode, Is.EqualTo(0), fromIdx.Error);
        // The same 6,000 images in another order (the folder lists them class by class), so the runs differ only in
        // which images the seeded shuffle holds out and batches together.
        Assert.That(fromFolder.Output, Does.Contain("28x28 gray, stretch"));
        Assert.That(Math.Abs(TestAccuracy(fromFolder) - TestAccuracy(fromIdx)), Is.LessThan(0.03),
            $"folder {TestAccuracy(fromFolder)}, IDX {TestAccuracy(fromIdx)}");
    }
}
