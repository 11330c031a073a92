using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OnnxReg.Data.IO;

namespace OnnxReg.Data;

/// <summary>
/// Reads what a model file says about itself without trusting it: the size of its metadata, checked against
/// <see cref="ResourceLimits"/> before ONNX Runtime or a protobuf parser loads it, and the hash of the weights it really
/// carries (not the hash it declares). Walks the protobuf wire format field by field, skipping what it does not need,
/// so a 100 MB metadata value or 100,000 metadata entries cost a pass over the file, not gigabytes.
/// </summary>
public static class OnnxFile
{
    private const int ModelProducerVersion = 3, ModelGraph = 7, ModelMetadata = 14, GraphInitializer = 5;
    private const int MaxProducerVersionBytes = 256;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;

    /// <summary>Refuses a model file whose metadata exceeds <see cref="ResourceLimits.MaxMetadataEntries"/> entries or
    /// <see cref="ResourceLimits.MaxMetadataBytes"/> bytes, or that is not a regular file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <returns>The file's <c>producer_version</c> (the OnnxReg version, for files OnnxReg wrote), or null if it has
    /// none or one over 256 bytes.</returns>
    /// <exception cref="InvalidDataException">The file is not a regular file, is not protobuf, or its metadata is over a limit.</exception>
    public static string? CheckLimits(string path)
    {
        UntrustedFile.RequireRegular(path, "model file");
        using var stream = File.OpenRead(path);
        return CheckLimits(stream, path);
    }

    /// <summary>The same checks on a model held in <paramref name="stream"/> (read from its position to its end; it must seek).</summary>
    /// <param name="stream">The model's bytes.</param>
    /// <param name="name">What to call the model in messages.</param>
    /// <returns>The model's <c>producer_version</c>, or null.</returns>
    /// <exception cref="InvalidDataException">The bytes are not protobuf, or their metadata is over a limit.</exception>
    public static string? CheckLimits(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new WireReader(stream, name);
        long entries = 0, bytes = 0;
        long maxEntries = ResourceLimits.MaxMetadataEntries, maxBytes = ResourceLimits.MaxMetadataBytes;
        string? producerVersion = null;
        while (reader.Position < stream.Length)
        {
            var (field, wireType) = reader.ReadTag();
            if (field == ModelProducerVersion && wireType == 2)
            {
                long length = reader.ReadLength();
                if (length <= MaxProducerVersionBytes) producerVersion = Encoding.UTF8.GetString(reader.ReadBytes(length));
                else reader.Skip(length);
                continue;
            }
            if (field == ModelMetadata && wireType == 2)
            {
                long length = reader.ReadLength();
                entries++;
                bytes += length;
                if (entries > maxEntries)
                    throw new InvalidDataException($"'{name}' holds more than {maxEntries:N0} metadata entries; at most {maxEntries:N0} are read ({ResourceLimits.HowToRaise(ResourceLimits.MaxMetadataEntriesVariable)}).");
                if (bytes > maxBytes)
                    throw new InvalidDataException($"'{name}' holds more than {maxBytes:N0} bytes of metadata; at most {maxBytes:N0} are read ({ResourceLimits.HowToRaise(ResourceLimits.MaxMetadataBytesVariable)}).");
                reader.Skip(length);
                continue;
            }
            reader.SkipValue(wireType);
        }
        return producerVersion;
    }

    /// <summary>
    /// SHA-256 (lower-case hex) over every initializer's name, data type, dims and raw bytes, in file order — the same
    /// value OnnxReg's exporter records as <c>onnxreg.weights_sha256</c>, but computed from the weights the file
    /// actually holds, so an edited weight cannot hide behind the declared hash.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a regular file or not a well-formed protobuf.</exception>
    public static string WeightsSha256(string path)
    {
        UntrustedFile.RequireRegular(path, "model file");
        using var stream = File.OpenRead(path);
        var reader = new WireReader(stream, path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (reader.Position < stream.Length)
        {
            var (field, wireType) = reader.ReadTag();
            if (field != ModelGraph || wireType != 2) { reader.SkipValue(wireType); continue; }
            long graphEnd = reader.Position + reader.ReadLength();
            while (reader.Position < graphEnd)
            {
                var (graphField, graphWire) = reader.ReadTag();
                if (graphField != GraphInitializer || graphWire != 2) { reader.SkipValue(graphWire); continue; }
                long length = reader.ReadLength();
                HashTensor(hash, reader.ReadBytes(length), path);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void HashTensor(IncrementalHash hash, byte[] tensor, string path)
    {
        using var stream = new MemoryStream(tensor, writable: false);
        var reader = new WireReader(stream, path);
        string name = "";
        long dataType = 0;
        var dims = new List<long>();
        byte[]? raw = null;
        while (reader.Position < stream.Length)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field, wireType)
            {
                case (TensorDims, 0): dims.Add((long)reader.ReadVarint()); break;
                case (TensorDims, 2):
                    long end = reader.Position + reader.ReadLength();
                    while (reader.Position < end) dims.Add((long)reader.ReadVarint());
                    break;
                case (TensorDataType, 0): dataType = (long)reader.ReadVarint(); break;
                case (TensorName, 2): name = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadLength())); break;
                case (TensorRawData, 2): raw = reader.ReadBytes(reader.ReadLength()); break;
                default: reader.SkipValue(wireType); break;
            }
        }
        Span<byte> number = stackalloc byte[8];
        hash.AppendData(Encoding.UTF8.GetBytes(name));
        BinaryPrimitives.WriteInt64LittleEndian(number, dataType);
        hash.AppendData(number);
        foreach (long dim in dims)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, dim);
            hash.AppendData(number);
        }
        hash.AppendData(raw ?? tensor); // values kept outside raw_data: the tensor's own bytes stand for them
    }

    // The protobuf wire format over a seekable stream; every length is checked against what is left of the stream.
    private sealed class WireReader(Stream stream, string path)
    {
        public long Position => stream.Position;

        public (int Field, int WireType) ReadTag()
        {
            ulong tag = ReadVarint();
            int field = (int)Math.Min(tag >> 3, int.MaxValue);
            if (field == 0) throw Invalid("a field number of 0");
            return (field, (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0) throw Invalid("a number cut off by the end of the file");
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
            throw Invalid("a number longer than 10 bytes");
        }

        public long ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(stream.Length - stream.Position))
                throw Invalid($"a length of {length:N0} bytes, more than the {stream.Length - stream.Position:N0} left");
            return (long)length;
        }

        public byte[] ReadBytes(long length)
        {
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }

        public void Skip(long length) => stream.Position += length;

        public void SkipValue(int wireType)
        {
            switch (wireType)
            {
                case 0: ReadVarint(); break;
                case 1: SkipFixed(8); break;
                case 2: Skip(ReadLength()); break;
                case 5: SkipFixed(4); break;
                default: throw Invalid($"wire type {wireType}, which ONNX files do not use");
            }
        }

        private void SkipFixed(int size)
        {
            if (stream.Length - stream.Position < size) throw Invalid("a value cut off by the end of the file");
            stream.Position += size;
        }

        private InvalidDataException Invalid(string what) =>
            new($"'{path}' is not an ONNX model: it holds {what} at byte {stream.Position:N0}.");
    }
}
