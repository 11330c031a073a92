namespace OnnxReg.Data.Storage;

/// <summary>Some images of another store, in a given order (a split held out of a streamed folder, its first N
/// images): reads map each index to the underlying store's and read nothing themselves.</summary>
internal sealed class IndexedImageStore : IImageStore
{
    private readonly IImageStore _source;
    private readonly int[] _indices;

    public IndexedImageStore(IImageStore source, ReadOnlySpan<int> indices)
    {
        // A subset of a subset maps straight to the first store, so reads never go through a chain.
        if (source is IndexedImageStore indexed)
        {
            var mapped = new int[indices.Length];
            for (int i = 0; i < indices.Length; i++) mapped[i] = indexed._indices[indices[i]];
            (_source, _indices) = (indexed._source, mapped);
        }
        else
        {
            (_source, _indices) = (source, indices.ToArray());
        }
    }

    public int Count => _indices.Length;

    public int SampleSize => _source.SampleSize;

    public void Read(ReadOnlySpan<int> indices, Span<byte> destination)
    {
        var mapped = indices.Length <= 1024 ? stackalloc int[indices.Length] : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)_indices.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"Index must be below the store's {_indices.Length} images.");
            mapped[i] = _indices[indices[i]];
        }
        _source.Read(mapped, destination);
    }
}
