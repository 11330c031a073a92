using OnnxReg.Data;
using OnnxReg.Data.Images;
using OnnxReg.Data.IO;

namespace OnnxReg.Data;

/// <summary>
/// Reads a dataset kept as image files, one subfolder per class — <c>ROOT/train/CLASS/*.png</c>,
/// <c>ROOT/test/CLASS/*.png</c> and optionally <c>ROOT/val/CLASS/*.png</c>, the layout of Keras'
/// <c>image_dataset_from_directory</c> and torchvision's <c>ImageFolder</c>. Classes are the train subfolders in
/// ordinal order, unless <c>ROOT/classes.txt</c> lists the folder names (one per line) in the order a model expects.
/// The classes are interleaved (the first image of each class, then the second of each…), so the first N images of
/// a split cover every class. Images are decoded in colour or grayscale at one size (<see cref="ImageFolderOptions"/>; inferred from the first
/// training images unless given), on every core, into one byte array per split (a 64 × 64 RGB image is 12 KB, a
/// quarter of its float form) — or, for a split larger than <see cref="ImageFolderOptions.InMemoryLimitBytes"/>,
/// streamed from disk a batch at a time (<see cref="ImageDataset.IsStreamed"/>), optionally through a decoded cache
/// (<see cref="ImageFolderOptions.Cache"/>). Only files below ROOT are read: a link leading out of it is an error. Files whose
/// extension is not an image's (README, .DS_Store) are skipped; a file with an image extension that does not decode
/// is an error naming it.
/// </summary>
/// <example>
/// <code>
/// var pair = ImageFolder.Load("photos", new ImageFolderOptions { Size = (64, 64), Color = ColorMode.Rgb, Resize = ResizePolicy.Crop });
/// Console.WriteLine(pair.Description); // photos (image folders: 9,000 train / 1,000 val / 2,000 test, 10 classes, 64x64 rgb, crop)
/// </code>
/// </example>
public static class ImageFolder
{
    /// <summary>The file extensions read as images.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"];

    /// <summary>True if <paramref name="folder"/> has the <c>train</c> and <c>test</c> subfolders of this layout.</summary>
    public static bool Matches(string folder) =>
        Directory.Exists(Path.Combine(folder, "train")) && Directory.Exists(Path.Combine(folder, "test"));

    /// <summary>The name of the optional validation split's folder.</summary>
    public const string ValidationFolder = "val";

    /// <summary>Reads the train and test splits, and <c>val/</c> when it exists (<see cref="DatasetPair.Validation"/>).</summary>
    /// <exception cref="DirectoryNotFoundException">A split folder is missing.</exception>
    /// <exception cref="InvalidDataException">There are no classes or no training images, test has a class train lacks, or an image of a split held in memory does not decode.</exception>
    /// <exception cref="UnauthorizedAccessException">A file or folder links outside <paramref name="root"/>.</exception>
    public static DatasetPair Load(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= new ImageFolderOptions();
        var confined = new ConfinedPath(root, "data folder");
        var classNames = ClassNames(root, confined);
        var trainFiles = SplitFiles(confined, "train", classNames);
        int available = trainFiles.Count;
        if (options.TrainLimit is int limit && limit < trainFiles.Count)
            trainFiles = trainFiles.Take(Math.Max(limit, 0)).ToList(); // interleaved: the first N hold every class
        if (trainFiles.Count == 0)
            throw new InvalidDataException($"Image folder '{root}' has no training images (looked for {string.Join(", ", Extensions)} files in train/CLASS/).");
        var (preparation, inferred) = Resolve(trainFiles, options);
        var train = Decode(trainFiles, "train", classNames, preparation, options);
        var validation = Directory.Exists(Path.Combine(root, ValidationFolder))
            ? Decode(SplitFiles(confined, ValidationFolder, classNames), ValidationFolder, classNames, preparation, options)
            : null;
        var test = Decode(SplitFiles(confined, "test", classNames), "test", classNames, preparation, options);
        string counts = validation is null ? $"{train.Count:N0} train / {test.Count:N0} test" : $"{train.Count:N0} train / {validation.Count:N0} val / {test.Count:N0} test";
        return new DatasetPair(train, test, $"{Path.GetFullPath(root)} (image folders: {counts}, {classNames.Count} classes, {preparation}{inferred}{Storage(options, ("train", train), (ValidationFolder, validation), ("test", test))})")
        {
            Validation = validation,
            TrainAvailable = available,
        };
    }

    // Where the pixels are, when not simply in memory: said in the data line, so a slower epoch has its reason in view.
    private static string Storage(ImageFolderOptions options, params (string Name, ImageDataset? Data)[] splits)
    {
        var streamed = splits.Where(s => s.Data is { IsStreamed: true }).ToList();
        string cache = options.Cache is { } folder ? $"; decoded copies in {PrintableText.Escape(Path.GetFullPath(folder))}" : "";
        if (streamed.Count == 0) return cache;
        long limit = options.InMemoryLimitBytes ?? ResourceLimits.MaxInMemoryImageBytes;
        return $"; streamed from disk a batch at a time (over the {ByteSize.Format(limit)} a split may hold in memory, {ResourceLimits.MaxInMemoryImagesVariable}): "
            + $"{string.Join(", ", streamed.Select(s => $"{s.Name} {s.Data!.Count:N0} images, {ByteSize.Format(s.Data.ByteCount)} decoded"))}{cache}";
    }

    /// <summary>Reads only the test split (classes still come from <c>train/</c>'s folder names or <c>classes.txt</c>; no
    /// training image is decoded unless the size or colour must be inferred from one).</summary>
    /// <exception cref="DirectoryNotFoundException">A split folder is missing.</exception>
    /// <exception cref="InvalidDataException">There are no classes, test has a class train lacks, or an image does not decode.</exception>
    /// <exception cref="UnauthorizedAccessException">A file or folder links outside <paramref name="root"/>.</exception>
    public static ImageDataset LoadTest(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= new ImageFolderOptions();
        var confined = new ConfinedPath(root, "data folder");
        var classNames = ClassNames(root, confined);
        var preparation = options is { Color: { } color, Size: var (height, width) }
            ? new ImagePreparation(color, height, width, options.Resize)
            : Resolve(SplitFiles(confined, "train", classNames), options).Preparation;
        return Decode(SplitFiles(confined, "test", classNames), "test", classNames, preparation, options);
    }

    /// <summary>Every image file below <paramref name="folder"/> (recursively, in ordinal order), each checked to lie inside it.</summary>
    /// <exception cref="UnauthorizedAccessException">A file or folder links outside <paramref name="folder"/>.</exception>
    public static IReadOnlyList<string> ListImages(string folder)
    {
        var files = new List<string>();
        Collect(new ConfinedPath(folder, "image folder"), Path.GetFullPath(folder), files, recursive: true, new HashSet<string>(StringComparer.Ordinal));
        return files;
    }

    private static List<string> ClassNames(string root, ConfinedPath confined)
    {
        var trainFolder = confined.Check("train");
        var folders = Directory.EnumerateDirectories(trainFolder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var listed = confined.Check("classes.txt");
        if (FileKinds.Of(listed) != FileKind.Missing)
        {
            var names = UntrustedFile.ReadLines(listed, "class list").ToList();
            var missing = names.Except(folders).ToList();
            var unlisted = folders.Except(names).ToList();
            var repeated = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (missing.Count > 0 || unlisted.Count > 0 || repeated.Count > 0)
            {
                // Only the problems there are, each named (a repeated line used to be reported as two empty lists).
                string List(IEnumerable<string> items) => string.Join(", ", items.Select(n => PrintableText.Escape(n, 200)));
                var problems = new List<string>();
                if (repeated.Count > 0) problems.Add($"listed more than once: [{List(repeated)}]");
                if (missing.Count > 0) problems.Add($"listed but not a folder of train/: [{List(missing)}]");
                if (unlisted.Count > 0) problems.Add($"folders of train/ not listed: [{List(unlisted)}]");
                throw new InvalidDataException($"'{PrintableText.Escape(listed)}' must list each folder of train/ exactly once; {string.Join("; ", problems)}.");
            }
            folders = names;
        }
        if (folders.Count > 256)
            throw new InvalidDataException($"Image folder '{root}' has {folders.Count} class folders in train/; at most 256 classes are supported.");
        if (folders.Count < 2)
            throw new InvalidDataException($"Image folder '{root}' has {folders.Count} class folder(s) in train/; a classifier needs at least 2 (train/CLASS/image.png).");
        return folders;
    }

    // The image files of one split with their labels, the classes interleaved: the first file (in ordinal order) of
    // each class, then the second of each, and so on. A folder lists one class after another, so reading it class by
    // class would make "the first N images" (--train-size, the study's splits, a validation hold-out) a few classes only.
    private static List<(string File, byte Label)> SplitFiles(ConfinedPath confined, string split, List<string> classNames)
    {
        var splitFolder = confined.Check(split);
        var extra = Directory.EnumerateDirectories(splitFolder).Select(Path.GetFileName).OfType<string>().Except(classNames).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"'{splitFolder}' has class folder(s) [{string.Join(", ", extra.Select(name => PrintableText.Escape(name)))}] that train/ lacks; every split needs the same classes.");
        var perClass = new List<string>[classNames.Count];
        for (int label = 0; label < classNames.Count; label++)
        {
            perClass[label] = [];
            var classFolder = Path.Combine(splitFolder, classNames[label]);
            if (Directory.Exists(classFolder))
                Collect(confined, classFolder, perClass[label], recursive: false, new HashSet<string>(StringComparer.Ordinal));
        }
        var files = new List<(string, byte)>(perClass.Sum(c => c.Count));
        for (int rank = 0; files.Count < files.Capacity; rank++)
            for (int label = 0; label < perClass.Length; label++)
                if (rank < perClass[label].Count)
                    files.Add((perClass[label][rank], (byte)label));
        return files;
    }

    // Size: the most common among the first training images' headers, scaled down to the largest inferred side; colour
    // from the first image of each class (up to 16): gray only if all are.
    private static (ImagePreparation Preparation, string Inferred) Resolve(List<(string File, byte Label)> trainFiles, ImageFolderOptions options)
    {
        var (height, width) = options.Size ?? (0, 0);
        var color = options.Color ?? ColorMode.Gray;
        var guessed = new List<string>();
        if (options.Size is null || options.Color is null)
        {
            if (trainFiles.Count == 0)
                throw new InvalidDataException("There are no training images to infer the image size and colour from; give both (--image-size, --color).");
            // The first file of each class (in interleaved order, the first files of the split); only the very first when
            // the colour is given. Each is decoded once.
            if (options.Size is null)
            {
                var sizes = trainFiles.Take(ImageFolderOptions.SizeSample).Select(f => ImageInput.Dimensions(f.File)).ToList();
                var common = sizes.GroupBy(s => s).OrderByDescending(g => g.Count()).First(); // ties: the first seen
                (height, width) = common.Key;
                int longer = Math.Max(height, width);
                string scaled = "";
                if (longer > ImageFolderOptions.MaxInferredSide)
                {
                    double factor = (double)ImageFolderOptions.MaxInferredSide / longer;
                    (height, width) = (Math.Max(1, (int)Math.Round(height * factor)), Math.Max(1, (int)Math.Round(width * factor)));
                    scaled = $", {common.Key.Width}x{common.Key.Height} scaled to at most {ImageFolderOptions.MaxInferredSide} px per side; --image-size for another";
                }
                guessed.Add($"size (the most common among {sizes.Count} training images{scaled})");
            }
            if (options.Color is null)
            {
                // The first file of each class (in interleaved order, the first files of the split); each is decoded once.
                var firsts = trainFiles.GroupBy(f => f.Label).Select(g => g.First().File).Take(16).Select(ImageInput.Inspect).ToList();
                color = firsts.All(f => f.IsGray) ? ColorMode.Gray : ColorMode.Rgb;
                guessed.Add("colour (from the first image of each class)");
            }
        }
        var preparation = new ImagePreparation(color, height, width, options.Resize);
        try
        {
            preparation.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{e.Message.Split(" (Parameter")[0]} Give a smaller size with --image-size.", e);
        }
        return (preparation, guessed.Count == 0 ? "" : $"; inferred: {string.Join(", ", guessed)}");
    }

    // A split small enough for memory is decoded into one array, on every core (or read whole from its cache); a
    // larger one is streamed: decoded from its files, or read from its cache file, a batch at a time.
    private static ImageDataset Decode(List<(string File, byte Label)> files, string split, List<string> classNames, ImagePreparation preparation, ImageFolderOptions options)
    {
        long bytes = files.Count * preparation.SampleSize;
        bool fits = ResourceLimits.FitsInMemory(bytes, options.InMemoryLimitBytes);
        byte[] labels = [.. files.Select(f => f.Label)];
        string[] paths = [.. files.Select(f => f.File)];
        if (options.Cache is { } folder && files.Count > 0)
        {
            var cache = DecodedImageCache.Open(folder, split, paths, preparation, options);
            if (!fits)
                return new ImageDataset(cache, labels, preparation.Channels, preparation.Height, preparation.Width, classNames) { Preparation = preparation };
            using (cache)
                return new ImageDataset(cache.ReadAll(), labels, preparation.Channels, preparation.Height, preparation.Width, classNames) { Preparation = preparation };
        }
        if (!fits)
            return new ImageDataset(new FolderImageStore(paths, preparation, split, options), labels, preparation.Channels, preparation.Height, preparation.Width, classNames) { Preparation = preparation };
        var pixels = new byte[bytes];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        for (int start = 0; start < paths.Length; start += DecodeChunk)
        {
            var chunk = paths.AsSpan(start, Math.Min(DecodeChunk, paths.Length - start)).ToArray();
            var decoded = FolderImageStore.Decode(chunk, preparation, parallel);
            for (int i = 0; i < decoded.Length; i++)
                decoded[i].CopyTo(pixels, (start + i) * preparation.SampleSize);
            options.Progress?.Invoke(split, start + chunk.Length, paths.Length);
        }
        return new ImageDataset(pixels, labels, preparation.Channels, preparation.Height, preparation.Width, classNames) { Preparation = preparation };
    }

    private const int DecodeChunk = 256; // images decoded (in parallel) between progress reports

    // Walks a folder (given as a full path) in ordinal order. Each real folder is walked once, so a link back to a
    // folder already seen (a loop, or '.') adds nothing; files that are not regular (pipes, devices) are refused.
    private static void Collect(ConfinedPath confined, string folder, List<string> files, bool recursive, HashSet<string> visited)
    {
        var full = confined.Check(folder);
        if (!visited.Add(ConfinedPath.Resolve(full))) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(full).Order(StringComparer.Ordinal))
        {
            var kind = FileKinds.Of(entry);
            if (kind == FileKind.Directory)
            {
                if (recursive) Collect(confined, entry, files, recursive, visited);
                continue;
            }
            if (!Extensions.Contains(Path.GetExtension(entry).ToLowerInvariant())) continue;
            if (kind != FileKind.Regular)
                throw new InvalidDataException($"'{entry}' is {FileKinds.Describe(kind)}, not a regular file; only regular image files are read. Remove it from the folder.");
            files.Add(confined.Check(entry));
        }
    }
}
