using Spectre.Console;

namespace OnnxReg.Cli;

/// <summary>Where commands write: plain lines, and tables rendered by Spectre.Console (no colour when redirected).</summary>
public sealed class CliConsole(TextWriter output, TextWriter error)
{
    private readonly IAnsiConsole _ansi = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; } = output;

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Writes one line to standard output.</summary>
    public void Line(string text) => Output.WriteLine(text);

    /// <summary>Renders a table to standard output.</summary>
    public void Write(Table table) => _ansi.Write(table);
}
