using OnnxReg.Data.Images;
using OnnxReg.Data.Storage;

namespace OnnxReg.Data;

/// <summary>
/// A split of an image folder too large to hold in memory, decoded from its files whenever images are read — the way
/// torchvision's <c>ImageFolder</c> and Keras' <c>image_dataset_from_directory</c> read — each read's images decoded in
/// parallel. The first full pass's worth of images read is reported to <see cref="ImageFolderOptions.Progress"/>.
/// </summary>
internal sealed class FolderImageStore : IImageStore
{
    private readonly string[] _files;
    private readonly ImagePreparation _preparation;
    private readonly ParallelOptions _parallel;
    private readonly Action<string, int, int>? _progress;
    private readonly string _split;
    private long _read; // images read so far, to report the first pass

    public FolderImageStore(IReadOnlyList<string> files, ImagePreparation preparation, string split, ImageFolderOptions options)
    {
        _files = [.. files];
        _preparation = preparation;
        _split = split;
        _progress = options.Progress;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
    }

    public int Count => _files.Length;

    public int SampleSize => (int)_preparation.SampleSize;

    public void Read(ReadOnlySpan<int> indices, Span<byte> destination)
    {
        var wanted = indices.ToArray();
        foreach (int index in wanted)
            if ((uint)index >= (uint)_files.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Index must be below the split's {_files.Length} images.");
        var decoded = Decode(wanted.Select(i => _files[i]).ToArray(), _preparation, _parallel);
        for (int i = 0; i < decoded.Length; i++)
            decoded[i].CopyTo(destination.Slice(i * SampleSize, SampleSize));
        if (_progress is not null && Interlocked.Read(ref _read) < Count)
        {
            long read = Interlocked.Add(ref _read, wanted.Length);
            long before = read - wanted.Length;
            if (before < Count && (read / 4096 != before / 4096 || read >= Count))
                _progress($"{_split} (first pass)", (int)Math.Min(read, Count), Count);
        }
    }

    /// <summary>Decodes <paramref name="files"/> in parallel; the first failing file in order is the error thrown.</summary>
    /// <exception cref="InvalidDataException">An image does not decode.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    internal static byte[][] Decode(string[] files, ImagePreparation preparation, ParallelOptions parallel)
    {
        var decoded = new byte[files.Length][];
        var failures = new Exception?[files.Length];
        Parallel.For(0, files.Length, parallel, (i, state) =>
        {
            try
            {
                decoded[i] = ImageInput.Load(files[i], preparation);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                failures[i] = e;
                state.Break(); // every earlier file still runs, so the first failure in order is known
            }
        });
        if (failures.FirstOrDefault(f => f is not null) is { } first)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        return decoded;
    }
}
