using System.Globalization;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Formats;

/// <summary>
/// One <c>[n]</c> entry of a format 2 body: <c>Name=</c>, <c>Number=</c> and <c>Message=</c> lines in any
/// order; a message runs on until the next <c>[n]</c>, <c>Name=</c> or <c>Number=</c> line.
/// </summary>
/// <param name="Index">The <c>n</c> written in the heading.</param>
/// <param name="Name">The <c>Name=</c> value, when given.</param>
/// <param name="Number">The <c>Number=</c> value, when given.</param>
/// <param name="Message">The message, lines joined with LF, when given.</param>
public sealed partial record Format2Entry(int Index, string? Name, string? Number, string? Message)
{
    /// <summary>How reports name the entry: <c>[n]</c>.</summary>
    public string Label => $"[{Index.ToString(CultureInfo.InvariantCulture)}]";

    [GeneratedRegex(@"^\s*\[\s*(\d{1,9})\s*\]\s*(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*(Name|Number|Message)\s*=(.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex Field();

    /// <summary>Reads every entry of <paramref name="lines"/>; lines before the first heading are not part of any.</summary>
    public static List<Format2Entry> ReadAll(IEnumerable<string> lines)
    {
        var entries = new List<Format2Entry>();
        Builder? current = null;
        foreach (var line in lines)
        {
            var heading = Heading().Match(line);
            if (heading.Success)
            {
                if (current is not null)
                {
                    entries.Add(current.Build());
                }

                current = new Builder(int.Parse(heading.Groups[1].Value, CultureInfo.InvariantCulture));
                current.Take(heading.Groups[2].Value);
            }
            else
            {
                current?.Take(line);
            }
        }

        if (current is not null)
        {
            entries.Add(current.Build());
        }

        return entries;
    }

    /// <summary>The lines before the first entry heading, which no entry sends.</summary>
    public static IEnumerable<string> StrayText(IEnumerable<string> lines) => lines.TakeWhile(l => !Heading().IsMatch(l));

    private sealed class Builder(int index)
    {
        private readonly List<string> _message = [];
        private string? _name;
        private string? _number;
        private bool _inMessage;
        private bool _hasMessage;

        public void Take(string line)
        {
            var field = Field().Match(line);
            if (field.Success)
            {
                var value = field.Groups[2].Value.Trim();
                switch (field.Groups[1].Value.ToUpperInvariant())
                {
                    case "NAME":
                        _name = value;
                        _inMessage = false;
                        return;
                    case "NUMBER":
                        _number = value;
                        _inMessage = false;
                        return;
                    case "MESSAGE" when !_inMessage:
                        _message.Clear();
                        _message.Add(value);
                        _inMessage = _hasMessage = true;
                        return;
                }
            }

            if (_inMessage)
            {
                _message.Add(line);
            }
        }

        public Format2Entry Build() => new(index, _name, _number, _hasMessage ? IntakeRules.JoinLines(_message) : null);
    }
}
