using System.CommandLine;
using OnnxReg.Data;
using OnnxReg.Data.Synthetic;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg dataset</c>: writes image-folder datasets to try the toolkit on colour photos and on the folder layout:
/// <c>shapes</c> generates the deterministic colour-shapes set (<see cref="ColorShapes"/>), <c>export</c> writes any
/// source (the embedded Fashion-MNIST, IDX files) as PNG folders.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("dataset", "Write image-folder datasets: generated colour shapes, or an IDX source as PNG folders");
        command.Add(Shapes(console));
        command.Add(Export(console));
        return command;
    }

    private static Command Shapes(CliConsole console)
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder to create (must not exist)", Required = true };
        var size = new Option<int>("--size") { Description = "Image side in pixels, 16 to 512", DefaultValueFactory = _ => 64 };
        var train = new Option<int>("--train") { Description = "Training images (classes in turn, so balanced)", DefaultValueFactory = _ => 5000 };
        var validation = new Option<int>("--val") { Description = "Validation images, written to val/ (0: none)", DefaultValueFactory = _ => 1000 };
        var test = new Option<int>("--test") { Description = "Test images", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Seeds every image; the same seed gives the same files", DefaultValueFactory = _ => 1 };
        var command = new Command("shapes", "Generate ten classes of coloured shapes on varied backgrounds as train/, val/ and test/ PNG folders")
        {
            output, size, train, validation, test, seed,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Shapes(parse, cancellation)));
        int Shapes(ParseResult parse, CancellationToken cancellation)
        {
            var (trainCount, validationCount, testCount) = (parse.GetValue(train), parse.GetValue(validation), parse.GetValue(test));
            int side = parse.GetValue(size);
            if (side is < 16 or > 512) throw new CliException($"--size must be 16 to 512 pixels; received {side}");
            if (trainCount < 10 || testCount < 10 || validationCount < 0)
                throw new CliException($"--train and --test need at least 10 images (one per class) and --val 0 or more; received {trainCount}, {testCount} and {validationCount}");
            RequireNew(parse.GetValue(output)!); // before minutes of drawing, not after
            int s = parse.GetValue(seed);
            // Each split has its own seed, so no test image repeats a training one.
            // Drawn and written a chunk at a time (the same bytes as drawing each split whole): memory holds one chunk.
            (string, int, Func<int, int, ImageDataset>) Split(string name, int count, int splitSeed) =>
                (name, count, (start, n) => ColorShapes.Generate(start, n, side, splitSeed, cancellation));
            var splits = new List<(string, int, Func<int, int, ImageDataset>)> { Split("train", trainCount, s) };
            if (validationCount > 0) splits.Add(Split(ImageFolder.ValidationFolder, validationCount, s + 1_000_000));
            splits.Add(Split("test", testCount, s + 2_000_000));
            var folder = parse.GetValue(output)!;
            IReadOnlyList<string> classes;
            try
            {
                // About 16 MiB of pixels per chunk, whatever the image size (the garbage collector frees a chunk only
                // some chunks later, so a chunk is kept small rather than large).
                int chunk = (int)Math.Clamp((16L << 20) / (3L * side * side), 16, 4096);
                classes = ImageFolderWriter.Write(folder, ColorShapes.ClassNames, splits, Progress(console), cancellation, chunk);
            }
            catch (IOException e)
            {
                throw new CliException(e.Message);
            }
            console.Line($"wrote {folder}: {string.Join(", ", splits.Select(p => $"{p.Item1} {p.Item2:N0}"))} images of {side}x{side} rgb in {classes.Count} classes ({string.Join(", ", classes.Select(name => PrintableText.Escape(name)))})");
            return CliApp.Success;
        }
        return command;
    }

    private static Command Export(CliConsole console)
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder to create (must not exist)", Required = true };
        var data = CommonOptions.Data();
        var command = new Command("export", "Write a dataset (the embedded Fashion-MNIST subset, the full set, IDX files) as train/ and test/ PNG folders, lossless")
        {
            output, data,
        };
        command.SetAction((parse, cancellation) =>
        {
            RequireNew(parse.GetValue(output)!);
            var pair = DatasetSource.Load(parse.GetValue(data)!);
            return Task.FromResult(Write(console, parse.GetValue(output)!, [("train", pair.Train), ("test", pair.Test)], cancellation));
        });
        return command;
    }

    private static Action<string, int, int> Progress(CliConsole console) => (split, done, total) =>
    {
        if (total >= 2000 && done % 2000 == 0) console.Line($"writing {split}: {done:N0}/{total:N0}");
    };

    private static void RequireNew(string folder)
    {
        if (OnnxReg.Data.IO.FileKinds.Of(Path.GetFullPath(folder)) != OnnxReg.Data.IO.FileKind.Missing)
            throw new CliException($"--output '{folder}' already exists; choose a new folder (a dataset is written as a whole, never over existing files)");
    }

    private static int Write(CliConsole console, string folder, List<(string Split, ImageDataset Data)> splits, CancellationToken cancellation)
    {
        IReadOnlyList<string> classes;
        try
        {
            classes = ImageFolderWriter.Write(folder, splits, Progress(console), cancellation);
        }
        catch (IOException e)
        {
            throw new CliException(e.Message);
        }
        var first = splits[0].Data;
        console.Line($"wrote {folder}: {string.Join(", ", splits.Select(s => $"{s.Split} {s.Data.Count:N0}"))} images of {first.Width}x{first.Height} " +
                     $"{(first.Channels == 3 ? "rgb" : "gray")} in {classes.Count} classes ({string.Join(", ", classes.Select(name => PrintableText.Escape(name)))})");
        return CliApp.Success;
    }
}
