using Mail2Sms.Core.Mail;

namespace Mail2Sms.Core.Tests.Mail;

public sealed class BodyLinesTests
{
    private static string[] NewText(string body) => [.. BodyLines.WithoutQuotedHistory(BodyLines.Split(body))];

    private static string[] BeforeSignature(string body) => [.. BodyLines.WithoutSignature(BodyLines.Split(body))];

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\t")]
    [InlineData("\u00A0")]
    [InlineData(" \u00A0 \t")]
    [InlineData("\u200B")]
    [InlineData("\u200C\u200D\u2060\uFEFF")]
    [InlineData("\r")]
    [InlineData("\u3000\u2003")]
    public void A_line_of_only_white_space_nbsp_or_zero_width_characters_is_blank(string line)
    {
        Assert.True(BodyLines.IsBlank(line));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("  .  ")]
    [InlineData("\u00A0x\u00A0")]
    [InlineData("\u200Bx")]
    public void A_line_with_anything_visible_is_not_blank(string line)
    {
        Assert.False(BodyLines.IsBlank(line));
    }

    [Fact]
    public void Split_gives_one_line_per_LF()
    {
        Assert.Equal(["a", "", "b"], BodyLines.Split("a\n\nb"));
    }

    [Fact]
    public void The_signature_after_the_standard_dash_dash_space_line_is_dropped()
    {
        Assert.Equal(["Disk full on web01", ""], BeforeSignature("Disk full on web01\n\n-- \nBob Smith\nOps team"));
    }

    [Fact]
    public void A_bare_dash_dash_line_is_text_not_a_signature()
    {
        Assert.Equal(["CPU load high", "--", "load: 12.5"], BeforeSignature("CPU load high\n--\nload: 12.5"));
    }

    [Theory]
    [InlineData("Hello\n---\nBob")]
    [InlineData("Hello\n-- Bob\nmore")]
    [InlineData("Hello\n--x\nmore")]
    public void Other_dash_lines_are_text(string body)
    {
        Assert.Equal(BodyLines.Split(body), BeforeSignature(body));
    }

    [Fact]
    public void Only_the_first_signature_line_counts()
    {
        Assert.Equal(["a"], BeforeSignature("a\n-- \nsig\n-- \nmore"));
    }

    [Fact]
    public void Lines_starting_with_a_quote_mark_are_dropped()
    {
        Assert.Equal(["Yes, restart it", "thanks"], NewText("Yes, restart it\n> Shall I restart web01?\n  >> earlier\nthanks"));
    }

    [Fact]
    public void Everything_from_a_one_line_reply_header_on_is_dropped()
    {
        const string body = "Yes, restart it\n\nOn Tue, 3 Mar 2026 at 10:00, Bob <bob@x.com> wrote:\n> Shall I restart web01?\nunquoted old text";
        Assert.Equal(["Yes, restart it", ""], NewText(body));
    }

    [Theory]
    [InlineData("On Tue, 3 Mar 2026 at 10:00, Bob <bob@x.com>\nwrote:")]
    [InlineData("On Tue, 3 Mar 2026 at 10:00, Bob <\nbob@x.com> wrote:")]
    [InlineData("On 3 Mar 2026, at 10:00, Bob Smith <bob@example.com>\nwrote:")]
    public void A_reply_header_wrapped_over_two_lines_starts_the_history(string header)
    {
        Assert.Equal(["Yes, restart it"], NewText($"Yes, restart it\n{header}\nold text\n> more old text"));
    }

    [Fact]
    public void Text_that_merely_starts_with_On_is_kept()
    {
        string[] body = ["On call tonight: Alice", "wrote the runbook: yes", "On Monday the backup ran"];
        Assert.Equal(body, NewText(string.Join('\n', body)));
    }

    [Theory]
    [InlineData("-----Original Message-----")]
    [InlineData("----- Original Message -----")]
    [InlineData("---------- Forwarded message ---------")]
    public void Everything_from_an_original_message_line_on_is_dropped(string marker)
    {
        Assert.Equal(["New text", ""], NewText($"New text\n\n{marker}\nFrom: Bob\nSent: Tuesday\nold text"));
    }

    [Fact]
    public void Outlooks_From_Sent_To_Subject_block_starts_the_history()
    {
        const string body = """
            New text

            From: Bob Smith <bob@x.com>
            Sent: Tuesday, 3 March 2026 10:00 AM
            To: SMS <61412345678@mail.completesms.net>
            Subject: Server down

            old text
            """;
        Assert.Equal(["New text", ""], NewText(body.ReplaceLineEndings("\n")));
    }

    [Fact]
    public void Outlook_for_Mac_block_with_Date_and_bold_markers_starts_the_history()
    {
        const string body = "New text\n*From:* Bob Smith <bob@x.com>\n*Date:* Tuesday, 3 March 2026 at 10:00\n*To:* SMS\n*Subject:* Server down\nold";
        Assert.Equal(["New text"], NewText(body));
    }

    [Fact]
    public void An_alert_whose_own_text_has_From_and_Date_lines_is_kept()
    {
        string[] alert = ["Backup report", "From: backup01", "Date: 2026-03-03 02:00", "Status: FAILED"];
        Assert.Equal(alert, NewText(string.Join('\n', alert)));
    }

    [Fact]
    public void Outlooks_underscore_rule_starts_the_history()
    {
        Assert.Equal(["New text", ""], NewText("New text\n\n________________________________\nFrom: Bob\nSent: x\nold"));
    }

    [Fact]
    public void Apple_Mails_Begin_forwarded_message_starts_the_history()
    {
        Assert.Equal(["FYI", ""], NewText("FYI\n\nBegin forwarded message:\n\nFrom: Bob <bob@x.com>\nold"));
    }

    [Fact]
    public void A_body_without_history_is_kept_whole()
    {
        string[] body = ["line 1", "", "line 3"];
        Assert.Equal(body, NewText(string.Join('\n', body)));
    }

    [Fact]
    public void A_body_that_is_all_history_leaves_nothing()
    {
        Assert.Empty(NewText("-----Original Message-----\nold"));
    }
}
