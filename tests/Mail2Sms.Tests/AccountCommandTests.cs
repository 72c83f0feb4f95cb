namespace Mail2Sms.Tests;

/// <summary><c>mail2sms account</c> and <c>user</c> verbs against a real SQLite file, run as processes.</summary>
public sealed class AccountCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-accounts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Setting => $"--Database:ConnectionString=Data Source={Path.Combine(_folder, "data", "mail2sms.db")}";

    private (int ExitCode, string Output) Run(params string[] args) => Cli.Run([.. args, Setting]);

    [Fact]
    public void An_operator_sets_up_an_account_and_sees_it_whole()
    {
        Assert.Equal((0, "Account CI00123456 created with 100 credits.\n"), Run("account", "add", "CI00123456", "--country", "au", "--credits", "100", "--sender", "Acme"));
        Assert.Equal((0, "Account CI00123456 accepts mail from 203.0.113.0/24.\n"), Run("account", "allow-ip", "CI00123456", "203.0.113.9/24"));
        Assert.Equal(0, Run("user", "add", "CI00123456", "Ops@Example.com.au", "--password", "s3cret").ExitCode);
        Assert.Equal((0, "User *@monitor.example.com.au added to account CI00123456 (IP authentication only).\n"), Run("user", "add", "CI00123456", "*@monitor.example.com.au"));
        Assert.Equal((0, "Account CI00123456 now has 75 credits.\n"), Run("account", "credit", "CI00123456", "-25", "--reason", "refund"));

        var (exitCode, output) = Run("account", "show", "CI00123456");
        Assert.Equal(0, exitCode);
        Assert.Contains("country:    AU", output, StringComparison.Ordinal);
        Assert.Contains("sender:     Acme", output, StringComparison.Ordinal);
        Assert.Contains("credits:    75", output, StringComparison.Ordinal);
        Assert.Contains("  203.0.113.0/24", output, StringComparison.Ordinal);
        Assert.Contains("  ops@example.com.au (password)", output, StringComparison.Ordinal);
        Assert.Contains("  *@monitor.example.com.au (IP only)", output, StringComparison.Ordinal);
        Assert.Matches(@"-25 =\s+75  refund\n.*\+100 =\s+100  opening credits", output);
        Assert.DoesNotContain("s3cret", output, StringComparison.Ordinal);

        Assert.Matches(@"^CI00123456\s+AU\s+75 credits\n$", Run("account", "list").Output);
    }

    [Fact]
    public void Refusals_say_why_in_one_line_and_exit_1()
    {
        Run("account", "add", "CI00123456", "--credits", "5");
        Assert.Equal((1, "Account CI00123456 already exists.\n"), Run("account", "add", "CI00123456"));
        Assert.Equal((1, "Account CI00123456 has 5 credits; taking 6 would leave it below zero.\n"), Run("account", "credit", "CI00123456", "-6"));
        Assert.Equal((1, "There is no account CI00999999.\n"), Run("account", "show", "CI00999999"));
        Assert.Equal(1, Run("account", "allow-ip", "CI00123456", "203.0.113").ExitCode);
        Assert.Equal((1, "*@example.com is a pattern: patterns authenticate by IP address only and have no password.\n"),
            Run("user", "add", "CI00123456", "*@example.com", "--password", "x"));
    }

    [Fact]
    public void A_wrong_setting_says_so_and_exits_2()
    {
        Assert.Equal((2, "Database:Provider is 'oracle'; this version knows only 'sqlite'.\n"), Run("account", "list", "--Database:Provider=oracle"));
        Assert.Equal(2, Run("account", "add", "CI00123456", "--country", "ZZ").ExitCode);
    }

    [Fact]
    public void Every_verb_reads_the_same_database_from_an_environment_variable_too()
    {
        var environment = new Dictionary<string, string> { ["MAIL2SMS_Database__ConnectionString"] = $"Data Source={Path.Combine(_folder, "env.db")}" };
        Assert.Equal(0, Cli.Run(environment, "account", "add", "CI00000001").ExitCode);
        Assert.Contains("CI00000001", Cli.Run(environment, "account", "list").Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "env.db")));
    }

    [Fact]
    public void Help_lists_the_account_and_user_verbs()
    {
        var output = Cli.Run("account", "--help").Output;
        foreach (var verb in new[] { "add", "allow-ip", "credit", "show", "list" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }

        Assert.Contains("add", Cli.Run("user", "--help").Output, StringComparison.Ordinal);
    }
}
