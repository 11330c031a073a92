using System.Text.RegularExpressions;
using OnnxReg.Data;
using OnnxReg.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Cli.Tests;

/// <summary>Image folders on the command line: --data FOLDER trains and evaluates, predict takes folders, and nothing outside the folder is read.</summary>
public class ImageFolderCommandTests : TempFolderTest
{
    // Writes the first images of the embedded subset as PNGs in train/CLASS/ and test/CLASS/ folders.
    private string WriteImageFolder(int trainCount, int testCount)
    {
        var root = Path.Combine(Folder, "data");
        var embedded = DatasetSource.Load(DatasetSource.Embedded);
        foreach (var (split, data, count) in new[] { ("train", embedded.Train, trainCount), ("test", embedded.Test, testCount) })
            for (int i = 0; i < count; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, split, $"class{data.Labels[i]}")).FullName;
                using var image = Image.LoadPixelData<L8>(data.Pixels.AsSpan(i * 784, 784), 28, 28);
                image.SaveAsPng(Path.Combine(folder, $"{i:D5}.png"));
            }
        return root;
    }

    [Test]
    public void Train_OnAnImageFolder_ExportsAModelThatPredictsAFolder()
    {
        var data = WriteImageFolder(600, 100);
        var model = Path.Combine(Folder, "m.onnx");
        var train = CliRun.Of("train", "--data", data, "--epochs", "3", "--lr", "0.003", "-o", model);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error);
        Assert.That(train.Output, Does.Contain("image folders: 600 train / 100 test, 10 classes"));
        var accuracy = double.Parse(Regex.Match(train.Output, @"test accuracy \(ONNX Runtime\): ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(accuracy, Is.GreaterThan(0.4), "10 classes: chance is 0.1");

        var eval = CliRun.Of("eval", "--data", data, model);
        Assert.That(eval.ExitCode, Is.EqualTo(0), eval.Error);
        Assert.That(eval.Output, Does.Contain("100"));

        var predict = CliRun.Of("predict", model, Path.Combine(data, "test"));
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        Assert.That(predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(100));
        Assert.That(predict.Output, Does.Contain($"{Path.Combine(data, "test", "class9", "00000.png")}: class"));
    }

    [Test]
    public void Train_OnAFolderWithABrokenImage_FailsNamingTheFile()
    {
        var data = WriteImageFolder(30, 10);
        File.WriteAllText(Path.Combine(data, "train", "class0", "broken.png"), "not a png");
        var line = CliRun.Of("train", "--data", data, "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("broken.png").And.Contain("is not an image that can be decoded"));
        Assert.That(File.Exists(Path.Combine(Folder, "m.onnx")), Is.False);
    }

    [Test]
    public void LinksOutOfTheFolder_AreRefused_ForDataAndForPredict()
    {
        var data = WriteImageFolder(30, 10);
        var outside = Directory.CreateDirectory(Path.Combine(Folder, "outside")).FullName;
        File.Copy(Path.Combine(data, "test", "class9", "00000.png"), Path.Combine(outside, "secret.png"));
        File.CreateSymbolicLink(Path.Combine(data, "train", "class0", "linked.png"), Path.Combine(outside, "secret.png"));

        var line = CliRun.Of("train", "--data", data, "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx")).AssertOneLineError();
        Assert.That(line, Does.Contain("linked.png").And.Contain("leads outside the data folder"));

        var model = Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx");
        var predict = CliRun.Of("predict", model, Path.Combine(data, "train"));
        Assert.That(predict.AssertOneLineError(), Does.Contain("linked.png").And.Contain("leads outside the image folder"));
        Assert.That(predict.Output, Is.Empty, "nothing is classified before the folder is checked");
    }

    [Test]
    public void AFolderWhoseFirstImageIsACameraPhoto_KeepsTheCommonSize_AndTrainSizeBoundsTheDecoding()
    {
        var data = WriteImageFolder(200, 20);
        // A 4096 × 4096 photo that sorts first in the first class (a few KB as PNG, 50 MB decoded).
        using (var photo = new Image<Rgb24>(4096, 4096, new Rgb24(90, 120, 150)))
            photo.SaveAsPng(Path.Combine(data, "train", "class9", "000-camera.png"));
        var (run, peak) = ChildCli.RunWithinMemory(Folder, 1L << 30, "train", "--data", data, "--train-size", "30", "--epochs", "1", "--hidden", "16", "-o", "m.onnx");
        Assert.That(run.ExitCode, Is.EqualTo(CliApp.Success), run.Error);
        Assert.That(run.Output, Does.Contain("30 train / 20 test, 10 classes, 28x28 rgb, stretch; inferred: size (the most common among 30 training images)"));
        Assert.That(peak, Is.LessThan(1L << 30));
    }

    [Test]
    public void ALargeCommonSize_IsScaledDownToTheLargestInferredSide_AndSaysSo()
    {
        var root = Path.Combine(Folder, "big");
        foreach (var (split, count) in new[] { ("train", 4), ("test", 2) })
            for (int i = 0; i < count; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, split, $"c{i % 2}")).FullName;
                using var image = new Image<L8>(1024, 512, new L8((byte)(40 * i)));
                image.SaveAsPng(Path.Combine(folder, $"{i}.png"));
            }
        var summary = CliRun.Of("train", "--data", root, "--epochs", "1", "--hidden", "8", "-o", Path.Combine(Folder, "big.onnx"));
        Assert.That(summary.ExitCode, Is.EqualTo(CliApp.Success), summary.Error);
        Assert.That(summary.Output, Does.Contain("256x128 gray, stretch; inferred: size (the most common among 4 training images, 1024x512 scaled to at most 256 px per side; --image-size for another)"));
    }

    [Test]
    public void Train_OnAFolderWhoseTestClassFoldersAreEmpty_FailsBeforeTraining()
    {
        var data = WriteImageFolder(60, 20);
        foreach (var image in Directory.GetFiles(Path.Combine(data, "test"), "*", SearchOption.AllDirectories)) File.Delete(image);
        var run = CliRun.Of("train", "--data", data, "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx"));
        var line = run.AssertOneLineError();
        Assert.That(line, Does.Contain("holds no images").And.Contain("test/"));
        Assert.That(run.Output, Does.Not.Contain("epoch"), "refused before training, not after");
    }

    [Test]
    public void Predict_OnAFolderWithoutImages_IsAnError()
    {
        var empty = Directory.CreateDirectory(Path.Combine(Folder, "empty")).FullName;
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "no images here");
        var line = CliRun.Of("predict", Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"), empty).AssertOneLineError();
        Assert.That(line, Does.Contain($"folder {empty} holds no image files"));
    }
}

