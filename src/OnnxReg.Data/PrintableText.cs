using System.Globalization;
using System.Text;

namespace OnnxReg.Data;

/// <summary>
/// Makes text read from a file safe to print on a terminal: control characters (escape sequences, carriage returns,
/// newlines that would fake an extra line of output, bidirectional overrides) are shown as <c>\n</c>, <c>\x1b</c>,
/// <c>\u202e</c> and the like, and very long text is cut with a note of its length.
/// </summary>
internal static class PrintableText
{
    /// <summary>The longest text shown whole by <see cref="Escape"/> (longer text is cut and marked).</summary>
    public const int DefaultMaxLength = 4096;

    /// <summary>Escapes control and format characters in <paramref name="text"/> and cuts it at <paramref name="maxLength"/> characters.</summary>
    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        bool cut = text.Length > maxLength;
        var shown = cut ? text[..maxLength] : text;
        var builder = new StringBuilder(shown.Length + 16);
        for (int i = 0; i < shown.Length; i++)
        {
            char c = shown[i];
            if (i + 1 < shown.Length && char.IsSurrogatePair(c, shown[i + 1]))
            {
                builder.Append(c).Append(shown[++i]); // a whole character outside the basic plane (an emoji)
                continue;
            }
            if (!NeedsEscape(c)) { builder.Append(c); continue; }
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < '\u0100' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            });
        }
        if (cut) builder.Append(CultureInfo.InvariantCulture, $"… ({text.Length:N0} characters)");
        return builder.ToString();
    }

    private static bool NeedsEscape(char c)
    {
        var category = char.GetUnicodeCategory(c);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }
}
