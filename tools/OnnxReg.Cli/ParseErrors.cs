using System.CommandLine;
using System.Text.RegularExpressions;
using OnnxReg.Data;

namespace OnnxReg.Cli;

/// <summary>Rewrites System.CommandLine's parse errors for people: a "did you mean" for a mistyped command or option,
/// and what a value should look like instead of a .NET type name.</summary>
internal static partial class ParseErrors
{
    /// <summary>
    /// An option typed after a file argument (<c>eval m.onnx --fromat json</c>) is taken by System.CommandLine as one
    /// more file name when it is no option of the command; a word that looks like an option and names no file is
    /// reported as what it is — a mistyped option, with the nearest real one — instead of "model file '--fromat' does
    /// not exist" after the other files were already processed. Null when every argument word is plausible.
    /// </summary>
    public static string? MisplacedOption(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        foreach (var argument in parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>())
            foreach (var token in argument.Tokens)
            {
                var word = token.Value;
                bool looksLikeOption = word.Length > 1 && word[0] == '-' && !char.IsAsciiDigit(word[1]) && word[1] != '.';
                if (looksLikeOption && !File.Exists(word) && !Directory.Exists(word))
                    return $"Unrecognized option '{PrintableText.Escape(word, 100)}'{DidYouMean.Hint(word, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)))}";
            }
        return null;
    }

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
