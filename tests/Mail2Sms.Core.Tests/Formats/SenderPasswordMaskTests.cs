using System.Text;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Mail;
using MimeKit;

namespace Mail2Sms.Core.Tests.Formats;

public sealed partial class SenderPasswordMaskTests
{
    private static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    // The PW= values as a reader of the body sees them: independent of the mask's own pattern.
    [GeneratedRegex(@"^\s*PW\s*=\s*(?<value>.+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex PasswordLine();

    [Theory]
    [InlineData("[SENDER]\nID=CI00000001\nPW=s3cret\n\nServer down", "[SENDER]\nID=CI00000001\nPW=********\n\nServer down")]
    [InlineData("  [sender]\n  id = CI00000001\n  pw = s3 cret  \nText", "  [sender]\n  id = CI00000001\n  pw = ********\nText")]
    [InlineData("[SENDER]\r\nID=CI1 Pw=s3cret\r\n", "[SENDER]\r\nID=CI1 Pw=********\r\n")]
    [InlineData("PW=a=b=c\nPW=********\nAPW=kept", "PW=********\nPW=********\nAPW=kept")]
    [InlineData("\u00A0PW=\u00A0s3cret\nno password here", "\u00A0PW=\u00A0********\nno password here")]
    public void A_password_line_is_masked_as_customers_write_it(string text, string expected)
    {
        Assert.Equal(expected, SenderPasswordMask.MaskText(text));
        Assert.False(SenderPasswordMask.HoldsPassword(expected));
    }

    [Theory]
    [InlineData("<div>[SENDER]</div><div>&nbsp;&nbsp;PW = s3cr&amp;t</div><div>Generator</div>", "s3cr")]
    [InlineData("<p class=MsoNormal><b>PW</b>=<span lang=EN-AU>Tr0ub</span><span>4dor<o:p></o:p></span></p><p>Generator</p>", "Tr0ub")]
    [InlineData("<p>[SENDER]<br>ID=CI1<br>PW=\r\n  hunter2<br>Generator</p>", "hunter2")]
    [InlineData("<p>PW=<!-- a > comment -->hunter2</p><p>Generator</p>", "hunter2")]
    public void A_password_in_html_is_masked_as_the_reader_sees_the_line(string html, string password)
    {
        var masked = SenderPasswordMask.MaskHtml(html);
        var text = HtmlToPlainText.Convert(masked);
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(password, masked, StringComparison.Ordinal);
        Assert.Contains("PW", text, StringComparison.Ordinal);
        Assert.Contains("********", text, StringComparison.Ordinal);
        Assert.Contains("Generator", text + masked, StringComparison.Ordinal);
        Assert.False(SenderPasswordMask.HoldsPassword(text));
    }

    [Fact]
    public void Html_without_a_password_is_left_byte_for_byte()
    {
        const string html = "<html><head><style>p{x:1}</style></head><body><p>Pass&amp;word is not PW</p><br/></body></html>";
        Assert.Equal(html, SenderPasswordMask.MaskHtml(html));
    }

    [Theory]
    [InlineData(ContentEncoding.QuotedPrintable)]
    [InlineData(ContentEncoding.Base64)]
    [InlineData(ContentEncoding.EightBit)]
    public void Every_rendering_of_a_copy_is_masked_whatever_its_encoding_and_the_message_itself_is_untouched(ContentEncoding encoding)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("ops@example.com.au"));
        message.To.Add(MailboxAddress.Parse("postmaster@sms.localhost"));
        message.Subject = "Alert";
        var plain = new TextPart("plain") { ContentTransferEncoding = encoding };
        plain.SetText(Encoding.GetEncoding("windows-1252"), "[SENDER]\r\nID=CI00000001\r\nPW=Pässwörd–1\r\n\r\nServer 23 is offline.");
        var html = new TextPart("html") { ContentTransferEncoding = encoding };
        html.SetText(Encoding.UTF8, "<div>[SENDER]</div><div>ID=CI00000001</div><div>PW=Pässwörd–1</div><div><br></div><div>Server 23 is offline.</div>");
        var attached = new MimeMessage();
        attached.Body = new TextPart("plain") { Text = "[SENDER]\nID=CI00000001\nPW=Pässwörd–1\n" };
        message.Body = new Multipart("mixed") { new MultipartAlternative { plain, html }, new MessagePart { Message = attached } };

        var copy = SenderPasswordMask.MaskedCopy(message);

        var texts = Texts(Reload(copy)).ToList();
        Assert.Equal(3, texts.Count);
        Assert.All(texts, t => Assert.DoesNotContain("Pässwörd", t.Text, StringComparison.Ordinal));
        Assert.All(texts, t => Assert.Contains("PW=********", t.Text, StringComparison.Ordinal));
        Assert.All(texts.Take(2), t => Assert.Equal(encoding, t.Part.ContentTransferEncoding));
        Assert.Equal("[SENDER]\nID=CI00000001\nPW=********\n\nServer 23 is offline.", EmailContent.Read(copy).Body);
        Assert.Contains("Pässwörd–1", EmailContent.Read(message).Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rich_text_part_holding_a_password_is_replaced_by_a_notice()
    {
        var message = new MimeMessage { Body = new TextPart("rtf") { Text = @"{\rtf1\ansi [SENDER]\par ID=CI1\par PW=\b hunter2\b0\par Generator}" } };
        var part = Assert.Single(Texts(Reload(SenderPasswordMask.MaskedCopy(message))));
        Assert.Equal(SenderPasswordMask.Notice, part.Text);
    }

    public static TheoryData<string> FixturesWithPasswords()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(FixtureFolder, "*.eml").Order(StringComparer.Ordinal))
        {
            if (PasswordLine().IsMatch(EmailContent.Read(MimeMessage.Load(file)).Body))
            {
                data.Add(Path.GetFileNameWithoutExtension(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixturesWithPasswords))]
    public void No_fixtures_password_survives_in_its_masked_copy_and_the_rest_of_the_body_reads_the_same(string name)
    {
        var message = MimeMessage.Load(Path.Combine(FixtureFolder, name + ".eml"));
        var body = EmailContent.Read(message).Body;
        var passwords = PasswordLine().Matches(body).Select(m => m.Groups["value"].Value).Distinct().ToList();

        var copy = Reload(SenderPasswordMask.MaskedCopy(message));

        foreach (var (_, text) in Texts(copy))
        {
            Assert.All(passwords, p => Assert.DoesNotContain(p, text, StringComparison.Ordinal));
        }

        Assert.Equal(PasswordLine().Replace(body, m => m.Value.Replace(m.Groups["value"].Value, SenderBlock.Mask, StringComparison.Ordinal)), EmailContent.Read(copy).Body);
    }

    private static MimeMessage Reload(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    private static IEnumerable<(TextPart Part, string Text)> Texts(MimeMessage message) => Texts(message.Body);

    private static IEnumerable<(TextPart Part, string Text)> Texts(MimeEntity? entity) => entity switch
    {
        TextPart text => [(text, text.Text)],
        Multipart multipart => multipart.SelectMany(Texts),
        MessagePart { Message: { } attached } => Texts(attached),
        _ => [],
    };
}
