using OnnxReg.Data;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnnxReg.Cli.Commands;

/// <summary>How <c>eval</c> and <c>compare</c> print: tables for people, or JSON / CSV for scripts (then nothing else
/// is written to standard output).</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Csv,
}

internal static class OutputFormats
{
    /// <summary>The <c>--format</c> option: table, json and (when <paramref name="csv"/>) csv.</summary>
    public static Option<string> Option(bool csv = true)
    {
        var option = new Option<string>("--format")
        {
            Description = csv ? "Output: table (for people), json or csv (for scripts; nothing else is printed)" : "Output: table (for people) or json (for scripts; nothing else is printed)",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong(csv ? ["table", "json", "csv"] : ["table", "json"]);
        return option;
    }

    public static OutputFormat Parse(string value) => Enum.Parse<OutputFormat>(value, ignoreCase: true);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>CSV text (RFC 4180 quoting) from a header and rows. Text cells come from files (class names, model
    /// paths), so they are escaped as on the terminal (an ESC byte shows as <c>\x1b</c>), and one that a spreadsheet
    /// would run as a formula (starting with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c>) gets a leading apostrophe.</summary>
    public static string Csv(IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        static string Cell(object? value)
        {
            var text = value switch
            {
                null => "",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => PrintableText.Escape(value.ToString()),
            };
            if (value is not (null or IFormattable) && text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
                text = "'" + text;
            return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
        }
        var csv = new StringBuilder().Append(string.Join(',', header.Select(Cell))).Append('\n');
        foreach (var row in rows) csv.Append(string.Join(',', row.Select(Cell))).Append('\n');
        return csv.ToString();
    }
}
