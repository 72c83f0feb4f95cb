using System.Text;
using Mail2Sms.Core.Mail;
using MimeKit;
using MimeKit.Tnef;

namespace Mail2Sms.Core.Tests.Mail;

public sealed class EmailContentTests
{
    private static EmailContent Read(MimeEntity body, string subject = "Subject")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.To.Add(new MailboxAddress(null, "61412345678@mail.completesms.net"));
        message.Subject = subject;
        message.Body = body;
        return EmailContent.Read(message);
    }

    /// <summary>Writes the message and parses it back, as the gateway receives it from SMTP.</summary>
    private static EmailContent ReadAsReceived(MimeMessage message) => EmailContent.Read(AsReceived(message));

    private static MimeMessage AsReceived(MimeMessage message)
    {
        var wire = new MemoryStream();
        message.WriteTo(wire);
        wire.Position = 0;
        return MimeMessage.Load(wire);
    }

    /// <summary>A text part whose bytes are given as they travel, in <paramref name="encoding"/>.</summary>
    private static TextPart Encoded(string subtype, string charset, byte[] wire, ContentEncoding encoding = ContentEncoding.Default)
    {
        var part = new TextPart(subtype) { Content = new MimeContent(new MemoryStream(wire), encoding) };
        part.ContentType.Charset = charset;
        part.ContentTransferEncoding = encoding;
        return part;
    }

    private static TextPart Flowed(string wire, bool? deleteSpace)
    {
        var part = Encoded("plain", "us-ascii", Encoding.ASCII.GetBytes(wire));
        part.ContentType.Format = "flowed";
        if (deleteSpace is { } delsp)
        {
            part.ContentType.Parameters.Add("delsp", delsp ? "yes" : "no");
        }

        return part;
    }

    private static string TextOf(Attachment attachment)
    {
        using var reader = new StreamReader(attachment.OpenRead());
        return reader.ReadToEnd();
    }

    [Fact]
    public void Text_plain_is_preferred_over_html_in_multipart_alternative()
    {
        var builder = new BodyBuilder { TextBody = "Plain words", HtmlBody = "<p>HTML words</p>" };
        Assert.Equal("Plain words", Read(builder.ToMessageBody()).Body);
    }

    [Fact]
    public void Text_plain_is_preferred_even_when_html_comes_first()
    {
        var alternative = new MultipartAlternative
        {
            new TextPart("html") { Text = "<p>HTML words</p>" },
            new TextPart("plain") { Text = "Plain words" },
        };
        Assert.Equal("Plain words", Read(alternative).Body);
    }

    [Fact]
    public void Html_only_is_converted_to_text()
    {
        var content = Read(new TextPart("html") { Text = "<div dir=\"ltr\">Disk full<div><br></div><div>on web01</div></div>" });
        Assert.Equal("Disk full\n\non web01", content.Body);
    }

    [Fact]
    public void Html_with_inline_images_in_multipart_related_is_converted()
    {
        var builder = new BodyBuilder { HtmlBody = "<p>Look</p><img src=\"cid:logo\">" };
        var logo = builder.LinkedResources.Add("logo.png", [0x89, 0x50, 0x4E, 0x47], new ContentType("image", "png"));
        logo.ContentId = "logo";

        Assert.Equal("Look", Read(builder.ToMessageBody()).Body);
    }

    [Fact]
    public void Format_flowed_joins_soft_broken_lines()
    {
        const string wire = "This is a long line that \r\nwas wrapped by the client.\r\nNext paragraph.\r\n";
        Assert.Equal("This is a long line that was wrapped by the client.\nNext paragraph.\n", Read(Flowed(wire, deleteSpace: null)).Body);
        Assert.Equal("This is a long line that was wrapped by the client.\nNext paragraph.\n", Read(Flowed(wire, deleteSpace: false)).Body);
    }

    [Fact]
    public void Format_flowed_with_delsp_yes_deletes_the_space_before_each_soft_break()
    {
        const string wire = "Hel \r\nlo wor \r\nld\r\n";
        Assert.Equal("Hello world\n", Read(Flowed(wire, deleteSpace: true)).Body);
        Assert.Equal("Hel lo wor ld\n", Read(Flowed(wire, deleteSpace: false)).Body);
    }

    [Fact]
    public void Quoted_printable_is_decoded()
    {
        var part = Encoded("plain", "iso-8859-1", Encoding.ASCII.GetBytes("caf=E9 with a soft=\r\nbreak and an equals =3D sign\r\n"), ContentEncoding.QuotedPrintable);
        Assert.Equal("café with a softbreak and an equals = sign\n", Read(part).Body);
    }

    [Fact]
    public void Base64_is_decoded()
    {
        var wire = Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße 😀\r\nline 2")));
        Assert.Equal("Grüße 😀\nline 2", Read(Encoded("plain", "utf-8", wire, ContentEncoding.Base64)).Body);
    }

    [Fact]
    public void Iso_8859_1_is_decoded()
    {
        byte[] wire = [.. "Caf"u8, 0xE9, .. " na"u8, 0xEF, .. "ve "u8, 0xA3, .. "5"u8];
        Assert.Equal("Café naïve £5", Read(Encoded("plain", "iso-8859-1", wire, ContentEncoding.EightBit)).Body);
    }

    [Fact]
    public void Windows_1252_is_decoded_with_its_curly_quotes_dashes_and_euro()
    {
        byte[] wire = [0x93, .. "Hi"u8, 0x94, 0x20, 0x96, .. " it"u8, 0x92, .. "s "u8, 0x80, .. "5"u8, 0x85, 0x20, 0xE9];
        Assert.Equal("\u201CHi\u201D \u2013 it\u2019s \u20AC5\u2026 é", Read(Encoded("plain", "windows-1252", wire, ContentEncoding.EightBit)).Body);
    }

    [Fact]
    public void A_windows_1252_subject_is_decoded()
    {
        var raw = "From: alice@example.com\r\nSubject: =?windows-1252?Q?=93Server=94_=96_down?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nbody\r\n";
        var content = EmailContent.Read(MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(raw))));
        Assert.Equal("\u201CServer\u201D \u2013 down", content.Subject);
    }

    [Fact]
    public void Crlf_and_lone_cr_become_lf()
    {
        Assert.Equal("a\nb\nc\n", Read(new TextPart("plain") { Text = "a\r\nb\rc\r\n" }).Body);
    }

    [Fact]
    public void Crlf_from_the_wire_becomes_lf()
    {
        var message = new MimeMessage { Subject = "s", Body = new TextPart("plain") { Text = "line 1\nline 2\n" } };
        message.From.Add(new MailboxAddress(null, "alice@example.com"));
        Assert.Equal("line 1\nline 2\n", ReadAsReceived(message).Body);
    }

    [Fact]
    public void The_subject_is_decoded_and_trimmed_and_empty_when_missing()
    {
        Assert.Equal("Grüße", Read(new TextPart("plain") { Text = "x" }, subject: "  Grüße ").Subject);
        Assert.Equal(string.Empty, EmailContent.Read(new MimeMessage { Body = new TextPart("plain") { Text = "x" } }).Subject);
    }

    [Fact]
    public void A_csv_attachment_is_found_beside_the_body()
    {
        var builder = new BodyBuilder { TextBody = "[SENDER]\nID=CI00123456\nPW=secret\n" };
        builder.Attachments.Add("CI00123456161223151959.csv", "61412345678,Hello\r\n"u8.ToArray(), new ContentType("text", "csv"));

        var content = Read(builder.ToMessageBody());

        Assert.Equal("[SENDER]\nID=CI00123456\nPW=secret\n", content.Body);
        var csv = Assert.Single(content.Attachments);
        Assert.Equal("CI00123456161223151959.csv", csv.FileName);
        Assert.Equal("61412345678,Hello\r\n", TextOf(csv));
    }

    [Fact]
    public void A_text_csv_part_without_content_disposition_but_with_a_name_is_an_attachment()
    {
        var csv = new TextPart("csv") { Text = "61412345678,Hello\n" };
        csv.ContentType.Name = "CI00123456161223151959.csv";
        var mixed = new Multipart("mixed") { new TextPart("plain") { Text = "body" }, csv };

        var content = Read(mixed);

        Assert.Equal("body", content.Body);
        Assert.Equal("CI00123456161223151959.csv", Assert.Single(content.Attachments).FileName);
        Assert.Null(csv.ContentDisposition);
    }

    [Fact]
    public void A_text_plain_part_named_dot_CSV_in_upper_case_is_an_attachment_not_the_body()
    {
        var csv = new TextPart("plain") { Text = "61412345678,Hello\n" };
        csv.ContentType.Name = "CI00123456161223151959.CSV";
        var mixed = new Multipart("mixed") { new TextPart("plain") { Text = "body" }, csv };

        var content = Read(mixed);

        Assert.Equal("body", content.Body);
        var attachment = Assert.Single(content.Attachments);
        Assert.Equal("CI00123456161223151959.CSV", attachment.FileName);
        Assert.Equal("61412345678,Hello\n", TextOf(attachment));
    }

    [Fact]
    public void A_base64_octet_stream_csv_attachment_reads_back_as_its_bytes()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "61412345678,Caf\u00E9\r\n"u8];
        var csv = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(bytes)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "CI00123456161223151959.csv",
        };
        var message = new MimeMessage { Subject = "s", Body = new Multipart("mixed") { new TextPart("plain") { Text = "body" }, csv } };

        var content = ReadAsReceived(message);

        var attachment = Assert.Single(content.Attachments);
        using var decoded = new MemoryStream();
        attachment.OpenRead().CopyTo(decoded);
        Assert.Equal(bytes, decoded.ToArray());
    }

    [Fact]
    public void A_plain_text_attachment_is_not_the_body()
    {
        var builder = new BodyBuilder { TextBody = "the body" };
        builder.Attachments.Add("notes.txt", "not the body"u8.ToArray(), new ContentType("text", "plain"));

        var content = Read(builder.ToMessageBody());

        Assert.Equal("the body", content.Body);
        Assert.Equal("notes.txt", Assert.Single(content.Attachments).FileName);
    }

    [Fact]
    public void Outlook_TNEF_winmail_dat_gives_its_body_and_its_csv_attachment()
    {
        var tnef = new TnefBlob()
            .LegacyBody("[SENDER]\r\nID=CI00123456\r\nPW=secret\r\n\r\nSee attached")
            .File("CI00123456161223151959.csv", "61412345678,Hello from TNEF\r\n"u8.ToArray())
            .ToArray();
        var winmail = new MimePart("application", "ms-tnef")
        {
            Content = new MimeContent(new MemoryStream(tnef)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "winmail.dat",
        };
        var message = new MimeMessage { Subject = "Bulk", Body = new Multipart("mixed") { winmail } };

        var received = AsReceived(message);
        var content = EmailContent.Read(received);

        Assert.IsType<TnefPart>(Assert.Single(received.BodyParts));
        Assert.Equal("[SENDER]\nID=CI00123456\nPW=secret\n\nSee attached", content.Body);
        var csv = Assert.Single(content.Attachments);
        Assert.Equal("CI00123456161223151959.csv", csv.FileName);
        Assert.Equal("61412345678,Hello from TNEF\r\n", TextOf(csv));
    }

    [Fact]
    public void Outlook_TNEF_with_the_body_as_a_MAPI_property_gives_its_body()
    {
        var winmail = new TnefPart
        {
            Content = new MimeContent(new MemoryStream(new TnefBlob()
                .MapiBody("Body in PR_BODY\r\nsecond line")
                .File("CI00123456161223151959.csv", "61412345678,Hi\r\n"u8.ToArray())
                .ToArray())),
        };

        var content = Read(new Multipart("mixed") { winmail });

        Assert.Equal("Body in PR_BODY\nsecond line", content.Body);
        Assert.Equal("CI00123456161223151959.csv", Assert.Single(content.Attachments).FileName);
    }

    [Fact]
    public void Outlook_TNEF_beside_a_plain_text_part_keeps_the_plain_text_as_the_body()
    {
        var winmail = new TnefPart
        {
            Content = new MimeContent(new MemoryStream(new TnefBlob()
                .LegacyBody("TNEF copy of the body")
                .File("CI00123456161223151959.csv", "61412345678,Hi\r\n"u8.ToArray())
                .ToArray())),
        };

        var content = Read(new Multipart("mixed") { new TextPart("plain") { Text = "Plain body" }, winmail });

        Assert.Equal("Plain body", content.Body);
        Assert.Equal("CI00123456161223151959.csv", Assert.Single(content.Attachments).FileName);
    }

    [Fact]
    public void Apple_mail_inline_file_with_a_name_is_an_attachment_not_body_text()
    {
        var log = new TextPart("plain") { Text = "ERROR NullReference at line 12" };
        log.ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = "app.log" };
        var content = Read(new Multipart("mixed") { new TextPart("plain") { Text = "Server down, log attached" }, log });
        Assert.Equal("Server down, log attached", content.Body);
        Assert.Equal("app.log", Assert.Single(content.Attachments).FileName);
    }

    [Fact]
    public void ToString_never_shows_the_body_which_may_hold_a_password()
    {
        var content = Read(new TextPart("plain") { Text = "[SENDER]\nID=CI00123456\nPW=hunter2\n\nhi" });
        Assert.DoesNotContain("hunter2", content.ToString(), StringComparison.Ordinal);
    }
}
