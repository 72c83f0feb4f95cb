using System.Text;
using Mail2Sms.Core.Mail;
using MimeKit;

namespace Mail2Sms.Core.Tests.Mail;

public sealed class RtfToPlainTextTests
{
    [Fact]
    public void Outlook_rich_text_paragraphs_become_lines_and_tables_say_nothing()
    {
        const string rtf = @"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}{\colortbl;\red0\green0\blue0;}" +
            @"{\*\generator Riched20 16.0;}\viewkind4\uc1\pard\f0\fs22 Server 23 is offline.\par" + "\r\n" +
            @"Call \b Bob\b0  now.\par}";
        Assert.Equal("Server 23 is offline.\nCall Bob now.\n", RtfToPlainText.Convert(rtf));
    }

    [Fact]
    public void Code_page_bytes_and_unicode_escapes_are_decoded()
    {
        const string rtf = @"{\rtf1\ansi\ansicpg1252 It\'92s \'80 5 \u8212? done\u-3913?\par}";
        Assert.Equal("It’s € 5 — done\uF0B7\n", RtfToPlainText.Convert(rtf));
    }

    [Fact]
    public void Escaped_braces_backslashes_tabs_and_special_spaces_are_kept()
    {
        Assert.Equal("a{b}c\\d\te\u00A0f-g\n", RtfToPlainText.Convert(@"{\rtf1 a\{b\}c\\d\tab e\~f\_g\line}"));
    }

    [Fact]
    public void Encapsulated_html_reads_its_text_and_skips_rtf_only_runs()
    {
        const string rtf = @"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0 Courier;}}" +
            @"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Disk full on web01\htmlrtf \par}\htmlrtf0 " +
            @"{\*\htmltag72 </p>}{\*\htmltag64 <p>}Free 2 GB{\*\htmltag72 </p>}\htmlrtf\par\htmlrtf0}";
        Assert.Equal("Disk full on web01Free 2 GB", RtfToPlainText.Convert(rtf).Replace("\n", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void An_rtf_only_body_is_read_as_the_body()
    {
        var message = new MimeMessage();
        message.Body = new TextPart("rtf") { Text = @"{\rtf1\ansi Backup finished.\par}" };
        Assert.Equal("Backup finished.\n", EmailContent.Read(message).Body);
    }

    [Fact]
    public void Apple_mail_text_around_an_inline_image_is_all_body()
    {
        var message = new MimeMessage();
        message.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "Before the picture" },
            new MimePart("image", "png")
            {
                Content = new MimeContent(new MemoryStream(Encoding.ASCII.GetBytes("png"))),
                ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = "screen.png" },
            },
            new TextPart("plain") { Text = "after it" },
        };
        var content = EmailContent.Read(message);
        Assert.Equal("Before the picture\nafter it", content.Body);
        Assert.Equal("screen.png", Assert.Single(content.Attachments).FileName);
    }
}
