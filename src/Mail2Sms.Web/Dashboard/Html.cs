using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Mail2Sms.Web.Dashboard;

/// <summary>
/// An HTML page built from interpolated strings: the literal parts are markup, every value put in a
/// hole is HTML-encoded (so whatever a customer wrote shows as text), except <see cref="Markup"/>,
/// which is HTML already built this way. A value is cut to <see cref="MaxValueLength"/> characters, so
/// no single field a sender wrote (a subject, a name, an address) can make a page grow with it.
/// </summary>
internal sealed class Html
{
    /// <summary>The most characters of one value a page shows; longer ones end in an ellipsis.</summary>
    public const int MaxValueLength = 8000;

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly StringBuilder _text = new();

    /// <summary>Appends markup, its holes encoded.</summary>
    public Html Add([InterpolatedStringHandlerArgument("")] ref Handler markup) => this;

    /// <summary>This page's markup, to put in another's hole unencoded.</summary>
    public Markup ToMarkup() => new(_text.ToString());

    public override string ToString() => _text.ToString();

    /// <summary>HTML that is already safe: put in a hole as it is.</summary>
    public readonly record struct Markup(string Value);

    [InterpolatedStringHandler]
    public readonly ref struct Handler
    {
        private readonly StringBuilder _text;

        public Handler(int literalLength, int formattedCount, Html html)
        {
            _ = formattedCount;
            _text = html._text;
            _text.EnsureCapacity(_text.Length + literalLength);
        }

        public void AppendLiteral(string value) => _text.Append(value);

        public void AppendFormatted(Markup value) => _text.Append(value.Value);

        public void AppendFormatted<T>(T value) => AppendFormatted(value, null);

        public void AppendFormatted<T>(T value, string? format) =>
            _text.Append(Encoder.Encode(Core.Text.ShortText.Cut(
                value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString() ?? string.Empty, MaxValueLength)));
    }
}
