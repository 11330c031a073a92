using OnnxReg.Data;
using Spectre.Console;

namespace OnnxReg.Cli;

/// <summary>Where commands write: plain lines, and tables rendered by Spectre.Console (no colour when redirected).</summary>
public sealed class CliConsole(TextWriter output, TextWriter error)
{
    private readonly IAnsiConsole _ansi = CreateAnsi(output);

    // Redirected output (files, CI logs, tests) has no terminal width; render tables 200 columns wide there
    // rather than Spectre's fallback of 80, which wraps every cell.
    private static IAnsiConsole CreateAnsi(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) ansi.Profile.Width = 200;
        return ansi;
    }

    /// <summary>True when writing to a real terminal (not redirected, not CI): live progress displays are used then.</summary>
    public bool IsInteractive => ReferenceEquals(Output, Console.Out) && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; } = output;

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Writes one line to standard output, with control characters escaped: lines carry paths, class names
    /// and metadata from files, and an escape sequence or newline in them must not reach the terminal as such.</summary>
    public void Line(string text) => Output.WriteLine(PrintableText.Escape(text, int.MaxValue));

    /// <summary>Text from a file made safe for a table cell: control characters escaped, cut at
    /// <paramref name="maxLength"/> characters, Spectre markup escaped.</summary>
    public static string Cell(string? text, int maxLength = 200) => Markup.Escape(PrintableText.Escape(text, maxLength));

    /// <summary>Renders a table to standard output.</summary>
    public void Write(Table table) => _ansi.Write(table);
}
