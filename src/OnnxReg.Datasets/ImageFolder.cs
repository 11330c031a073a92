using OnnxReg.Data.Images;
using OnnxReg.Data.IO;

namespace OnnxReg.Data;

/// <summary>
/// Reads a dataset kept as image files, one subfolder per class — <c>ROOT/train/CLASS/*.png</c> and
/// <c>ROOT/test/CLASS/*.png</c>, the layout of Keras' <c>image_dataset_from_directory</c> and torchvision's
/// <c>ImageFolder</c>. Classes are the train subfolders in ordinal order, unless <c>ROOT/classes.txt</c> lists the
/// folder names (one per line) in the order a model expects. Images are decoded as grayscale and resized to
/// <c>height × width</c>. Only files below ROOT are read: a link leading out of it is an error. Files whose extension
/// is not an image's (README, .DS_Store) are skipped; a file with an image extension that does not decode is an error
/// naming it.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file extensions read as images.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"];

    /// <summary>True if <paramref name="folder"/> has the <c>train</c> and <c>test</c> subfolders of this layout.</summary>
    public static bool Matches(string folder) =>
        Directory.Exists(Path.Combine(folder, "train")) && Directory.Exists(Path.Combine(folder, "test"));

    /// <summary>Reads the train and test splits.</summary>
    /// <exception cref="DirectoryNotFoundException">A split folder is missing.</exception>
    /// <exception cref="InvalidDataException">There are no classes or no training images, test has a class train lacks, or an image does not decode.</exception>
    /// <exception cref="UnauthorizedAccessException">A file or folder links outside <paramref name="root"/>.</exception>
    public static DatasetPair Load(string root, int height = 28, int width = 28)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var confined = new ConfinedPath(root, "data folder");
        var classNames = ClassNames(root, confined);
        var train = LoadSplit(confined, "train", classNames, height, width);
        var test = LoadSplit(confined, "test", classNames, height, width);
        if (train.Count == 0)
            throw new InvalidDataException($"Image folder '{root}' has no training images (looked for {string.Join(", ", Extensions)} files in train/CLASS/).");
        return new DatasetPair(train, test, $"{Path.GetFullPath(root)} (image folders: {train.Count:N0} train / {test.Count:N0} test, {classNames.Count} classes)");
    }

    /// <summary>Reads only the test split (classes still come from <c>train/</c>'s folder names or <c>classes.txt</c>; no training image is decoded).</summary>
    /// <exception cref="DirectoryNotFoundException">A split folder is missing.</exception>
    /// <exception cref="InvalidDataException">There are no classes, test has a class train lacks, or an image does not decode.</exception>
    /// <exception cref="UnauthorizedAccessException">A file or folder links outside <paramref name="root"/>.</exception>
    public static ImageDataset LoadTest(string root, int height = 28, int width = 28)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var confined = new ConfinedPath(root, "data folder");
        return LoadSplit(confined, "test", ClassNames(root, confined), height, width);
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
            if (missing.Count > 0 || unlisted.Count > 0 || names.Distinct().Count() != names.Count)
                throw new InvalidDataException(
                    $"'{listed}' must list each folder of train/ exactly once; missing folders: [{string.Join(", ", missing)}], unlisted folders: [{string.Join(", ", unlisted)}].");
            folders = names;
        }
        if (folders.Count > 256)
            throw new InvalidDataException($"Image folder '{root}' has {folders.Count} class folders in train/; at most 256 classes are supported.");
        if (folders.Count < 2)
            throw new InvalidDataException($"Image folder '{root}' has {folders.Count} class folder(s) in train/; a classifier needs at least 2 (train/CLASS/image.png).");
        return folders;
    }

    private static ImageDataset LoadSplit(ConfinedPath confined, string split, List<string> classNames, int height, int width)
    {
        var splitFolder = confined.Check(split);
        var extra = Directory.EnumerateDirectories(splitFolder).Select(Path.GetFileName).OfType<string>().Except(classNames).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"'{splitFolder}' has class folder(s) [{string.Join(", ", extra)}] that train/ lacks; both splits need the same classes.");
        var pixels = new List<byte[]>();
        var labels = new List<byte>();
        for (int label = 0; label < classNames.Count; label++)
        {
            var classFolder = Path.Combine(splitFolder, classNames[label]);
            if (!Directory.Exists(classFolder)) continue;
            var files = new List<string>();
            Collect(confined, classFolder, files, recursive: false, new HashSet<string>(StringComparer.Ordinal));
            foreach (var file in files)
            {
                pixels.Add(ImageInput.Load(file, 1, height, width));
                labels.Add((byte)label);
            }
        }
        var data = new byte[pixels.Count * height * width];
        for (int i = 0; i < pixels.Count; i++) pixels[i].CopyTo(data, i * height * width);
        return new ImageDataset(data, [.. labels], channels: 1, height, width, classNames);
    }

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
