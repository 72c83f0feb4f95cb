using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Tests.Formats;

public sealed class SenderBlockTests
{
    private static SenderBlockReading Read(params string[] lines) => SenderBlock.Read(lines);

    private static SenderBlock Valid(SenderBlockReading reading)
    {
        Assert.True(reading.State == SenderBlockState.Valid, $"{reading.State}: {reading.Failure}");
        Assert.Null(reading.Failure);
        return reading.Block!;
    }

    private static Reason Malformed(SenderBlockReading reading)
    {
        Assert.Equal(SenderBlockState.Malformed, reading.State);
        Assert.Null(reading.Block);
        var reason = reading.Failure!;
        Assert.Equal(ReasonCode.SenderBlockMalformed, reason.Code);
        Assert.Equal(550, reason.SmtpCode);
        Assert.Equal("5.7.1", reason.EnhancedCode);
        Assert.Contains("[SENDER], then ID=<Account ID>, then PW=<Password>", reason.Text, StringComparison.Ordinal);
        return reason;
    }

    [Fact]
    public void The_documents_block_gives_the_account_id_the_password_and_the_message_after_it()
    {
        var reading = Read("[SENDER]", "ID=CI00123456", "PW=s3cret", "", "Server web01 is down");

        var block = Valid(reading);
        Assert.Equal("CI00123456", block.AccountId);
        Assert.Equal("s3cret", block.Password);
        Assert.Equal(["Server web01 is down"], reading.Rest);
    }

    [Fact]
    public void Heading_and_keys_are_case_insensitive()
    {
        var block = Valid(Read("[sender]", "id=CI00123456", "Pw=s3cret", "", "text"));
        Assert.Equal("CI00123456", block.AccountId);
        Assert.Equal("s3cret", block.Password);
        Assert.Equal(SenderBlockState.Valid, Read("[Sender]", "Id=a", "pW=b").State);
    }

    [Fact]
    public void Lines_indented_as_in_the_documents_code_block_are_read()
    {
        var reading = Read("    [SENDER]", "    ID=CI00123456", "\tPW=s3cret", "    ", "    text");
        Assert.Equal("s3cret", Valid(reading).Password);
        Assert.Equal(["    text"], reading.Rest);
    }

    [Fact]
    public void Values_keep_the_case_they_were_written_in()
    {
        var block = Valid(Read("[SENDER]", "ID=ci00123456", "PW=MiXeD"));
        Assert.Equal("ci00123456", block.AccountId);
        Assert.Equal("MiXeD", block.Password);
    }

    [Fact]
    public void The_blank_line_after_PW_is_expected_but_not_required()
    {
        var reading = Read("[SENDER]", "ID=CI00123456", "PW=s3cret", "Server web01 is down", "", "second paragraph");
        Valid(reading);
        Assert.Equal(["Server web01 is down", "", "second paragraph"], reading.Rest);
    }

    [Fact]
    public void Several_blank_lines_after_the_block_are_not_part_of_the_text()
    {
        var reading = Read("[SENDER]", "ID=a", "PW=b", "", "\u00A0", "  ", "text");
        Valid(reading);
        Assert.Equal(["text"], reading.Rest);
    }

    [Fact]
    public void A_password_holding_equals_signs_is_everything_after_the_first()
    {
        Assert.Equal("a=b=c", Valid(Read("[SENDER]", "ID=CI00123456", "PW=a=b=c")).Password);
        Assert.Equal("==", Valid(Read("[SENDER]", "ID=CI00123456", "PW===")).Password);
    }

    [Fact]
    public void Spaces_around_the_equals_sign_are_allowed_and_values_are_trimmed()
    {
        var block = Valid(Read("[SENDER]", "ID = CI00123456 ", "PW  =  s3cret  "));
        Assert.Equal("CI00123456", block.AccountId);
        Assert.Equal("s3cret", block.Password);
    }

    [Fact]
    public void A_password_with_inner_spaces_keeps_them()
    {
        Assert.Equal("correct horse battery", Valid(Read("[SENDER]", "ID=a", "PW= correct horse battery ")).Password);
    }

    [Fact]
    public void Blank_lines_before_the_heading_including_nbsp_only_lines_are_skipped()
    {
        var reading = Read("", "\u00A0", " \u00A0 ", "\u200B", "[SENDER]", "ID=CI00123456", "PW=s3cret", "", "text");
        Assert.Equal("CI00123456", Valid(reading).AccountId);
        Assert.Equal(["text"], reading.Rest);
    }

    [Fact]
    public void Blank_lines_inside_the_block_are_skipped()
    {
        Assert.Equal("s3cret", Valid(Read("[SENDER]", "", "ID=CI00123456", "\u00A0", "PW=s3cret")).Password);
    }

    [Fact]
    public void The_block_may_run_straight_into_the_first_entry()
    {
        var reading = Read("[SENDER]", "ID=CI00123456", "PW=s3cret", "[1]", "Name=Bob", "Number=0412345678", "Message=Hi");
        Valid(reading);
        Assert.Equal(["[1]", "Name=Bob", "Number=0412345678", "Message=Hi"], reading.Rest);
    }

    [Fact]
    public void The_block_may_run_straight_into_the_cellphone_list()
    {
        var reading = Read("[SENDER]", "ID=CI00123456", "PW=s3cret", "X-Cellphone: 0412345678", "", "Hello");
        Valid(reading);
        Assert.Equal(["X-Cellphone: 0412345678", "", "Hello"], reading.Rest);
    }

    [Fact]
    public void A_body_not_beginning_with_the_heading_has_no_block_and_is_all_rest()
    {
        string[] body = ["Hello", "[SENDER]", "ID=a", "PW=b"];
        var reading = SenderBlock.Read(body);
        Assert.Equal(SenderBlockState.None, reading.State);
        Assert.Null(reading.Block);
        Assert.Null(reading.Failure);
        Assert.Equal(body, reading.Rest);
    }

    [Fact]
    public void An_empty_body_has_no_block()
    {
        Assert.Equal(SenderBlockState.None, Read().State);
        Assert.Equal(SenderBlockState.None, Read("", "  ").State);
    }

    [Fact]
    public void A_heading_with_more_on_its_line_is_not_a_heading()
    {
        Assert.Equal(SenderBlockState.None, Read("[SENDER] ID=a PW=b", "text").State);
    }

    [Fact]
    public void A_missing_ID_is_malformed_and_says_so()
    {
        Assert.Contains("ID= is missing", Malformed(Read("[SENDER]", "PW=s3cret", "", "text")).Text, StringComparison.Ordinal);
        Assert.Contains("ID= is missing", Malformed(Read("[SENDER]", "Account=CI00123456", "PW=s3cret")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_PW_is_malformed_and_says_so()
    {
        Assert.Contains("PW= is missing", Malformed(Read("[SENDER]", "ID=CI00123456", "", "text")).Text, StringComparison.Ordinal);
        Assert.Contains("PW= is missing", Malformed(Read("[SENDER]", "ID=CI00123456")).Text, StringComparison.Ordinal);
        Assert.Contains("PW= is missing", Malformed(Read("[SENDER]", "ID=CI00123456", "Password=s3cret")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heading_alone_is_malformed()
    {
        Assert.Contains("ID= is missing", Malformed(Read("[SENDER]")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_ID_is_malformed()
    {
        Assert.Contains("ID= twice", Malformed(Read("[SENDER]", "ID=a", "ID=b", "PW=c")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_PW_is_malformed_so_the_second_never_travels_as_text()
    {
        var reason = Malformed(Read("[SENDER]", "ID=a", "PW=old", "PW=new", "", "text"));
        Assert.Contains("PW= twice", reason.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("new", reason.Text, StringComparison.Ordinal);
        Assert.Contains("ID= twice", Malformed(Read("[SENDER]", "ID=a", "PW=b", "", "ID=c")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void PW_before_ID_is_malformed_and_says_so()
    {
        Assert.Contains("PW= comes before ID=", Malformed(Read("[SENDER]", "PW=s3cret", "ID=CI00123456")).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ID=", "PW=s3cret", "ID= is empty")]
    [InlineData("ID=  ", "PW=s3cret", "ID= is empty")]
    [InlineData("ID=CI00123456", "PW=", "PW= is empty")]
    [InlineData("ID=CI00123456", "PW= \t", "PW= is empty")]
    public void An_empty_value_is_malformed_and_says_which(string idLine, string pwLine, string why)
    {
        Assert.Contains(why, Malformed(Read("[SENDER]", idLine, pwLine)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_block_leaves_the_whole_body_as_rest_and_never_quotes_the_password()
    {
        string[] body = ["[SENDER]", "PW=topsecret", "ID=CI00123456"];
        var reading = SenderBlock.Read(body);
        Malformed(reading);
        Assert.Equal(body, reading.Rest);
        Assert.DoesNotContain("topsecret", reading.Failure!.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", reading.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_never_shows_the_password()
    {
        var reading = Read("[SENDER]", "ID=CI00123456", "PW=topsecret", "", "text");
        var block = Valid(reading);

        Assert.Equal("[SENDER] ID=CI00123456 PW=********", block.ToString());
        Assert.DoesNotContain("topsecret", block.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", reading.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", $"{block}", StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", new { Block = block }.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[SENDER]", true)]
    [InlineData("  [sender]  ", true)]
    [InlineData("[Sender]\u00A0", true)]
    [InlineData("SENDER", false)]
    [InlineData("[SENDER]x", false)]
    public void IsHeading_knows_the_heading_line(string line, bool heading)
    {
        Assert.Equal(heading, SenderBlock.IsHeading(line));
    }

    [Theory]
    [InlineData("text [SENDER] more", true)]
    [InlineData("text [sender]", true)]
    [InlineData("text [ Sender ] more", true)]
    [InlineData("text SENDER", false)]
    [InlineData("line\n  pw = secret", true)]
    [InlineData("the new PW=secret is set", false)]
    public void Mentions_finds_a_heading_anywhere_and_a_line_that_starts_with_PW(string text, bool mentions)
    {
        Assert.Equal(mentions, SenderBlock.Mentions(text));
    }

    [Fact]
    public void An_id_holding_spaces_or_equals_is_malformed_so_a_password_cannot_hide_in_it()
    {
        var reason = Malformed(Read("[SENDER]", "ID=CI00123456 PW=hunter2", "PW=hunter2"));
        Assert.Contains("ID= holds spaces", reason.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", reason.Text, StringComparison.Ordinal);
    }
}
