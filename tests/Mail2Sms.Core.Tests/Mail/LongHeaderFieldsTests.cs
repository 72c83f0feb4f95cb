using System.Text;
using Mail2Sms.Core.Mail;
using MimeKit;

namespace Mail2Sms.Core.Tests.Mail;

public sealed class LongHeaderFieldsTests
{
    private static string FoldedSubject(int words) =>
        "Alert" + string.Concat(Enumerable.Range(0, words).Select(i => (i % 7 == 0 ? "\r\n" : string.Empty) + $" word{i:D5}"));

    private static byte[] Email(string subject, string body = "Server 23\r\n is offline.\r\n") =>
        Encoding.ASCII.GetBytes($"From: Ops <ops@example.com>\r\nDKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\nSubject: {subject}\r\nTo: 0412345678@sms.example\r\n\r\n{body}");

    [Fact]
    public void An_email_without_a_long_field_is_left_as_it_is()
    {
        var email = Email(FoldedSubject(100));

        Assert.Same(email, LongHeaderFields.Unfold(email));
    }

    [Fact]
    public void A_folded_field_over_8_KB_becomes_one_line_and_parses_to_the_same_value()
    {
        var email = Email(FoldedSubject(26_000));

        var unfolded = LongHeaderFields.Unfold(email);

        var text = Encoding.ASCII.GetString(unfolded);
        var lines = text.Split("\r\n");
        Assert.Equal(["From: Ops <ops@example.com>", "DKIM-Signature: v=1; a=rsa-sha256;", " b=abc"], lines[..3]);
        Assert.StartsWith("Subject: Alert word00000 word00001", lines[3], StringComparison.Ordinal);
        Assert.EndsWith("word25999", lines[3], StringComparison.Ordinal);
        Assert.Equal(["To: 0412345678@sms.example", "", "Server 23", " is offline.", ""], lines[4..]);
        Assert.Equal(
            MimeMessage.Load(new MemoryStream(email)).Subject,
            MimeMessage.Load(new MemoryStream(unfolded)).Subject);
    }

    [Fact]
    public void Bare_LF_line_ends_are_unfolded_too_and_a_body_line_that_starts_with_white_space_is_not_touched()
    {
        var email = Encoding.ASCII.GetBytes($"Subject: x{string.Concat(Enumerable.Repeat("\n continued", 2000))}\nFrom: a@b.example\n\n body\n more\n");

        var text = Encoding.ASCII.GetString(LongHeaderFields.Unfold(email));

        Assert.Equal($"Subject: x{string.Concat(Enumerable.Repeat(" continued", 2000))}\nFrom: a@b.example\n\n body\n more\n", text);
    }
}
