using System.CommandLine;
using System.Text.RegularExpressions;
using OnnxReg.Data;

namespace OnnxReg.Cli;

/// <summary>Rewrites System.CommandLine's parse errors for people: a "did you mean" for a mistyped command or option,
/// and what a value should look like instead of a .NET type name.</summary>
internal static partial class ParseErrors
{
    public static string Explain(string message, Command command)
    {
        message = ErrorMessages.OneLine(message).TrimEnd('.');
        if (Unrecognized().Match(message) is { Success: true } unknown)
        {
            var token = unknown.Groups[1].Value;
            var candidates = token.StartsWith('-')
                ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Select(c => c.Name);
            return message + DidYouMean.Hint(token, candidates);
        }
        if (CannotParse().Match(message) is { Success: true } value)
            return $"{value.Groups[2].Value} takes {Describe(value.Groups[3].Value)}; received '{value.Groups[1].Value}'";
        if (NotAllowed().Match(message) is { Success: true } choice)
        {
            var allowed = Quoted().Matches(choice.Groups[2].Value).Select(m => m.Groups[1].Value).ToList();
            return $"'{choice.Groups[1].Value}' is not one of {string.Join(", ", allowed)}{DidYouMean.Hint(choice.Groups[1].Value, allowed)}";
        }
        return message;
    }

    private static string Describe(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Nullable`1[System.Int32]" => "a whole number",
        "System.Double" or "System.Single" or "System.Nullable`1[System.Double]" => "a number (e.g. 0.001 or 1e-3)",
        "System.Boolean" => "true or false",
        _ => "a value of another form (see --help)",
    };

    [GeneratedRegex("^Unrecognized command or argument '(.*)'$")]
    private static partial Regex Unrecognized();

    [GeneratedRegex("^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'$")]
    private static partial Regex CannotParse();

    [GeneratedRegex("^Argument '(.*)' not recognized\\. Must be one of:(.*)$")]
    private static partial Regex NotAllowed();

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex Quoted();
}
