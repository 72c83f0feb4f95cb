namespace Mail2Sms.Tests;

public sealed class ExplainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-explain-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, string Output) Run(params string[] args) => Cli.Run(args);

    private string Email(string subject, string body)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".eml");
        File.WriteAllText(path, $"From: Ops <ops@example.com.au>\r\nSubject: {subject}\r\nContent-Type: text/plain\r\n\r\n{body}\r\n");
        return path;
    }

    [Fact]
    public void Help_lists_the_explain_verb()
    {
        var (exitCode, output) = Run("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("explain", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_shows_the_sms_an_accepted_email_would_send()
    {
        var (exitCode, output) = Run("explain", Email("System Alert", "[SENDER]\r\nID=CI00000001\r\nPW=hunter2\r\n\r\nServer 23 is offline."),
            "--to", "0412345678@mail.completesms.net");
        Assert.Equal(0, exitCode);
        Assert.Contains("accepted:      1 SMS, 1 credit", output, StringComparison.Ordinal);
        Assert.Contains("61412345678 Gsm7 1 part(s): System Alert Server 23 is offline.", output, StringComparison.Ordinal);
        Assert.Contains("[SENDER] ID=CI00000001 PW=********", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_counts_parts_as_the_smsc_settings_cut_them()
    {
        // A format 3 email of 305 GSM characters: two parts of 153 with an 8-bit reference, three of 152 with a 16-bit one.
        var email = Email("Alert", $"X-Cellphone: 0412345678\r\n\r\n{new string('x', 305)}");
        Assert.Contains("61412345678 Gsm7 2 part(s)", Run("explain", email, "--to", "smsmail@mail.completesms.net").Output, StringComparison.Ordinal);
        var (exitCode, output) = Run("explain", email, "--to", "smsmail@mail.completesms.net", "--concatenation", "udh16");
        Assert.Equal(0, exitCode);
        Assert.Contains("accepted:      1 SMS, 3 credits", output, StringComparison.Ordinal);
        Assert.Contains("61412345678 Gsm7 3 part(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_answers_each_recipient_as_rcpt_to_would()
    {
        var (exitCode, output) = Run("explain", Email("Alert", "down"), "--to", "0298765432@mail.completesms.net",
            "--to", "someone@gmail.com", "--to", "0412345678@mail.completesms.net");
        Assert.Equal(0, exitCode);
        Assert.Contains("RCPT TO 0298765432@mail.completesms.net: 550 5.1.1 '0298765432' is a fixed-line number of AU, not a mobile number.", output, StringComparison.Ordinal);
        Assert.Contains("RCPT TO someone@gmail.com: 550 5.7.1 Relaying", output, StringComparison.Ordinal);
        Assert.Contains("RCPT TO 0412345678@mail.completesms.net: 250 2.1.5 OK", output, StringComparison.Ordinal);
        Assert.Contains("61412345678 Gsm7 1 part(s): Alert down", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_shows_every_reason_of_a_rejected_email_and_exits_1()
    {
        var (exitCode, output) = Run("explain", Email("Alert", "down\r\n[SENDER]\r\nID=CI00000001\r\nPW=hunter2"), "--to", "0412345678@mail.completesms.net");
        Assert.Equal(1, exitCode);
        Assert.Contains("rejected:      550 5.6.0", output, StringComparison.Ordinal);
        Assert.Contains("SenderBlockNotFirst: The [SENDER] block must be the first lines of the body", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--country", "ZZ", "'ZZ' is not an ISO 3166 region")]
    [InlineData("--max-parts", "0", "--max-parts must be 1 or more")]
    public void Explain_refuses_wrong_options_with_exit_2(string option, string value, string said)
    {
        var (exitCode, output) = Run("explain", Email("Alert", "down"), "--to", "0412345678@mail.completesms.net", option, value);
        Assert.Equal(2, exitCode);
        Assert.Contains(said, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_says_when_the_file_is_not_an_email()
    {
        var path = Path.Combine(_folder, "garbage.eml");
        File.WriteAllBytes(path, []);
        var (exitCode, output) = Run("explain", path, "--to", "0412345678@mail.completesms.net");
        Assert.Equal(2, exitCode);
        Assert.Contains("garbage.eml", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_says_when_the_file_is_missing()
    {
        var (exitCode, output) = Run("explain", Path.Combine(_folder, "none.eml"), "--to", "smsmail@mail.completesms.net");
        Assert.Equal(2, exitCode);
        Assert.Contains("no such file", output, StringComparison.Ordinal);
    }
}
