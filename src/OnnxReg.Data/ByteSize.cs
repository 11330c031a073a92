using System.Globalization;

namespace OnnxReg.Data;

/// <summary>Byte counts for people: powers of 1,024 with three significant digits ("614 KiB", "1.15 GiB").</summary>
public static class ByteSize
{
    /// <summary>Formats <paramref name="bytes"/> as B, KiB, MiB or GiB.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        string number = unit == 0 || value >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
            : value >= 10 ? value.ToString("F1", CultureInfo.InvariantCulture) : value.ToString("F2", CultureInfo.InvariantCulture);
        return $"{number} {units[unit]}";
    }
}
