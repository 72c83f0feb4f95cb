using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Mail;
using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Formats;

/// <summary>
/// One <c>[n]</c> entry of a format 2 body: <c>Name=</c>, <c>Number=</c> and <c>Message=</c> lines in any
/// order; a message runs on until the next <c>[n]</c>, <c>Name=</c> or <c>Number=</c> line.
/// </summary>
/// <param name="Index">The <c>n</c> written in the heading.</param>
/// <param name="Name">The <c>Name=</c> value, when given.</param>
/// <param name="Number">The <c>Number=</c> value, when given.</param>
/// <param name="Message">The message, lines joined with LF, when given.</param>
/// <param name="Repeated">A key the entry gives twice (<c>Number</c>, say), which makes it ambiguous.</param>
public sealed partial record Format2Entry(int Index, string? Name, string? Number, string? Message, string? Repeated = null)
{
    /// <summary>
    /// How reports name the entry, so the reader knows who got nothing: <c>[n]</c>, then its <c>Name=</c>
    /// and <c>Number=</c> as written, whichever it has (<c>[2] Name=Ann, Number=02 9876 5432</c>).
    /// </summary>
    public string Label
    {
        get
        {
            var label = new StringBuilder().Append(CultureInfo.InvariantCulture, $"[{Index}]");
            var separator = " ";
            foreach (var (key, value) in new[] { ("Name", Name), ("Number", Number) })
            {
                if (value is { Length: > 0 })
                {
                    label.Append(separator).Append(key).Append('=').Append(ShortText.Cut(value, ShortText.MaxWritten));
                    separator = ", ";
                }
            }

            return label.ToString();
        }
    }

    [GeneratedRegex(@"^\s*\[\s*(\d{1,9})\s*\]\s*(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*(Name|Number|Message)\s*=(.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex Field();

    // A key after white space on the same line: the one-line layout "[1] Name=John Number=0412... Message=...".
    [GeneratedRegex(@"(?<=\s)(Name|Number|Message)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineKey();

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

    private sealed class Builder(int index)
    {
        private readonly List<string> _message = [];
        private string? _name;
        private string? _number;
        private string? _repeated;
        private bool _inMessage;
        private bool _hasMessage;

        public void Take(string line)
        {
            var field = Field().Match(line);
            if (!field.Success)
            {
                if (_inMessage)
                {
                    _message.Add(line);
                }

                return;
            }

            var key = field.Groups[1].Value.ToUpperInvariant();
            var value = field.Groups[2].Value;
            if (key == "MESSAGE" && _inMessage)
            {
                _message.Add(line);
                return;
            }

            // Name= and Number= values never hold another key, so a second key on their line starts a field of its own.
            var next = key == "MESSAGE" ? Match.Empty : InlineKey().Match(value);
            Set(key, next.Success ? value[..next.Index] : value);
            if (next.Success)
            {
                Take(value[next.Index..]);
            }
        }

        private void Set(string key, string value)
        {
            var given = key switch
            {
                "NAME" => _name is not null,
                "NUMBER" => _number is not null,
                _ => _hasMessage,
            };
            if (given)
            {
                _repeated ??= key[0] + key[1..].ToLowerInvariant();
            }

            _inMessage = key == "MESSAGE";
            switch (key)
            {
                case "NAME":
                    _name = value.Trim();
                    break;
                case "NUMBER":
                    _number = value.Trim();
                    break;
                default:
                    _message.Clear();
                    _message.Add(value);
                    _hasMessage = true;
                    break;
            }
        }

        public Format2Entry Build() =>
            new(index, _name, _number, _hasMessage ? BodyLines.JoinLines(_message) : null, _repeated);
    }
}
