using System.Text;
using MimeKit;
using MimeKit.Text;
using MimeKit.Tnef;

namespace Mail2Sms.Core.Mail;

/// <summary>A file attached to an email: its name and a way to read its bytes.</summary>
/// <param name="FileName">The name as the sender gave it.</param>
/// <param name="Part">The MIME part that holds it.</param>
public sealed record Attachment(string FileName, MimePart Part)
{
    /// <summary>Opens the decoded content (base64 or quoted-printable undone).</summary>
    public Stream OpenRead()
    {
        var decoded = new MemoryStream();
        Part.Content?.DecodeTo(decoded);
        decoded.Position = 0;
        return decoded;
    }
}

/// <summary>
/// What an email says, whatever client wrote it: the subject, the body as plain text with LF line
/// ends (text/plain preferred, HTML converted, <c>format=flowed</c> and TNEF undone) and its attachments.
/// </summary>
/// <param name="Subject">The decoded subject, empty when there is none, cut to <see cref="Text.ShortText.MaxSubject"/> characters.</param>
/// <param name="Body">The body text, LF line ends.</param>
/// <param name="Attachments">Attached files, those inside <c>winmail.dat</c> included.</param>
public sealed record EmailContent(string Subject, string Body, IReadOnlyList<Attachment> Attachments)
{
    static EmailContent()
    {
        // .NET has only the UTF encodings, ASCII and Latin-1 built in. Without the code pages MimeKit reads
        // windows-1252 as Latin-1 (Outlook's curly quotes and dashes become control characters) and
        // cannot read TNEF at all. A host registers them at start-up, before it parses any mail (MimeKit
        // keeps a header's first decoding); this covers callers of the library that did not.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Never the body: it may hold a <c>[SENDER]</c> password, and a record's ToString ends up in logs.</summary>
    public override string ToString() =>
        $"EmailContent {{ Subject = {Subject}, Body = {Body.Length} characters, Attachments = [{string.Join(", ", Attachments.Select(a => a.FileName))}] }}";

    /// <summary>Reads <paramref name="message"/>.</summary>
    public static EmailContent Read(MimeMessage message)
    {
        var attachments = new List<Attachment>();
        var body = BodyOf(message.Body, attachments) ?? string.Empty;
        return new EmailContent(Text.ShortText.Cut(message.Subject?.Trim() ?? string.Empty, Text.ShortText.MaxSubject), NormalizeLineEnds(body), attachments);
    }

    private static string? BodyOf(MimeEntity? entity, List<Attachment> attachments)
    {
        switch (entity)
        {
            case TnefPart tnef:
                // Outlook's rich text: the converted message lists its renderings (plain, HTML, RTF) side by side.
                var converted = Converted(tnef);
                return converted?.Body is Multipart renderings ? BestOf(renderings, attachments) : BodyOf(converted?.Body, attachments);
            case Multipart { ContentType.MediaSubtype: var subtype } alternative
                when subtype.Equals("alternative", StringComparison.OrdinalIgnoreCase):
                return BestOf(alternative, attachments);
            case Multipart multipart:
                // Every part is visited so that every attachment is found; Apple Mail splits text around inline images.
                var texts = multipart.Where(p => p is not TnefPart).Select(p => BodyOf(p, attachments)).OfType<string>().ToList();
                foreach (var tnef in multipart.OfType<TnefPart>())
                {
                    // Outlook sends a plain rendering beside winmail.dat: its TNEF body is then a copy.
                    if (BodyOf(tnef, attachments) is { } tnefText && texts.Count == 0)
                    {
                        texts.Add(tnefText);
                    }
                }

                return texts.Count == 0 ? null : string.Join('\n', texts);
            case TextPart text when !IsFile(text) && Rank(text) > 0:
                return TextOf(text);
            case MimePart { FileName: { } fileName } part:
                attachments.Add(new Attachment(fileName, part));
                return null;
            default:
                return null;
        }
    }

    // A winmail.dat that cannot be read counts as no body: MimeKit's TNEF reader throws many kinds of
    // exception on damaged data (TnefException, EndOfStreamException, ArgumentException, InvalidOperationException).
    private static MimeMessage? Converted(TnefPart tnef)
    {
        try
        {
            return Plausible(tnef) ? tnef.ConvertToMessage() : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    // MimeKit believes a property list's counts: a damaged winmail.dat of 1.8 KB claiming a billion properties
    // kept ConvertToMessage busy for 10 s (found by fuzzing). A count that its attribute's octets cannot hold
    // (each property or value takes at least four) is refused before conversion.
    private static bool Plausible(TnefPart tnef)
    {
        if (tnef.Content is null)
        {
            return false;
        }

        using var content = tnef.Content.Open();
        using var reader = new TnefReader(content, 0, TnefComplianceMode.Loose);
        while (reader.ReadNextAttribute())
        {
            var most = reader.AttributeRawValueLength / 4;
            var properties = reader.TnefPropertyReader;
            if (properties.PropertyCount > most)
            {
                return false;
            }

            while (properties.ReadNextProperty())
            {
                if (properties.ValueCount > most)
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Apple Mail sends files inline with a name; body text never has one.
    private static bool IsFile(MimePart part) => part.IsAttachment || part.FileName is not null;

    // Which rendering of a body reads best as plain text: plain, then HTML, then RTF; 0 for none of them.
    private static int Rank(MimeEntity entity) => entity switch
    {
        TextPart { IsPlain: true } => 3,
        TextPart { IsHtml: true } => 2,
        TextPart { IsRichText: true } => 1,
        Multipart => 1,
        _ => 0,
    };

    private static string? BestOf(Multipart renderings, List<Attachment> attachments)
    {
        var best = renderings.Where(p => p is not MimePart part || !IsFile(part)).MaxBy(Rank);
        foreach (var part in renderings.Where(p => p != best))
        {
            BodyOf(part, attachments);
        }

        return best is null ? null : BodyOf(best, attachments);
    }

    private static string TextOf(TextPart part)
    {
        var text = part.Text ?? string.Empty;
        if (part.IsHtml)
        {
            return HtmlToPlainText.Convert(text);
        }

        if (part.IsRichText)
        {
            return RtfToPlainText.Convert(text);
        }

        if (part.IsFlowed)
        {
            var deleteSpace = part.ContentType.Parameters.TryGetValue("delsp", out string? delsp)
                && delsp.Equals("yes", StringComparison.OrdinalIgnoreCase);
            return Unflow(NormalizeLineEnds(text), new FlowedToText { DeleteSpace = deleteSpace });
        }

        return text;
    }

    // RFC 3676 4.3: the signature separator "-- " is never a flowed line, but MimeKit joins it to the
    // next line; unflow the text above it alone so the signature is still found.
    private static string Unflow(string text, FlowedToText converter)
    {
        if (text.StartsWith("-- \n", StringComparison.Ordinal))
        {
            return text;
        }

        var signature = text.IndexOf("\n-- \n", StringComparison.Ordinal) + 1;
        return signature == 0
            ? converter.Convert(text)
            : converter.Convert(text[..signature]).TrimEnd('\r', '\n') + "\n" + text[signature..];
    }

    internal static string NormalizeLineEnds(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
}
