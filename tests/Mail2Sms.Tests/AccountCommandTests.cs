using Dapper;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Tests;

/// <summary><c>mail2sms account</c>, <c>user</c> and <c>operator</c> verbs against a real SQLite file, run as processes.</summary>
public sealed class AccountCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-accounts-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "data", "mail2sms.db")}";

    private string Setting => $"--Database:ConnectionString={ConnectionString}";

    private (int ExitCode, string Output) Run(params string[] args) => Cli.Run([.. args, Setting]);

    [Fact]
    public void An_operator_sets_up_an_account_and_sees_it_whole()
    {
        Assert.Equal((0, "Account CI00123456 created with 100 credits.\n"), Run("account", "add", "CI00123456", "--country", "au", "--credits", "100", "--sender", "Acme"));
        Assert.Equal((0, "Account CI00123456 accepts mail from 203.0.113.0/24.\n"), Run("account", "allow-ip", "CI00123456", "203.0.113.9/24"));
        Assert.Equal(0, Run("user", "add", "CI00123456", "Ops@Example.com.au", "--password", "s3cret").ExitCode);
        Assert.Equal((0, "User *@monitor.example.com.au added to account CI00123456 (IP authentication only).\n"), Run("user", "add", "CI00123456", "*@monitor.example.com.au"));
        Assert.Equal((0, "Account CI00123456 now has 75 credits.\n"), Run("account", "credit", "CI00123456", "-25", "--reason", "refund"));
        Assert.Equal((0, "Account CI00123456 accepts mail from 198.51.100.7/32.\n"), Run("account", "allow-ip", "CI00123456", "198.51.100.7"));
        Assert.Equal((0, "Account CI00123456 no longer accepts mail from 198.51.100.7/32.\n"), Run("account", "disallow-ip", "CI00123456", "198.51.100.7"));
        Assert.Equal((1, "198.51.100.7/32 was not allowed for account CI00123456.\n"), Run("account", "disallow-ip", "CI00123456", "198.51.100.7"));

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
    public void An_operator_sets_the_low_credit_warning_and_receipt_emails_and_sees_them()
    {
        Assert.Equal(0, Run("account", "add", "CI00123456", "--credits", "100", "--low-credit-warning", "20").ExitCode);
        Assert.Equal((0, "User ops@example.com.au added to account CI00123456 (with a password, receipt emails).\n"),
            Run("user", "add", "CI00123456", "ops@example.com.au", "--password", "pw", "--receipt-emails"));
        Assert.Equal(0, Run("user", "add", "CI00123456", "desk@example.com.au", "--password", "pw").ExitCode);
        var shown = Run("account", "show", "CI00123456").Output;
        Assert.Contains("low credit: warning below 20 credits\n", shown, StringComparison.Ordinal);
        Assert.Contains("  desk@example.com.au (password)\n  ops@example.com.au (password, receipt emails)\n", shown, StringComparison.Ordinal);

        Assert.Equal((0, "Account CI00123456: country none; sender Acme; mobile numbers only, at most 12 parts an SMS; reply window the gateway's Replies:WindowDays; "
                + "low-credit warning below 50 credits; no cap of SMS per minute.\n"),
            Run("account", "set", "CI00123456", "--low-credit-warning", "50", "--sender", "Acme"));
        Assert.Equal((0, "Account CI00123456: country AU; sender Acme; any 8 to 15 digits, at most 3 parts an SMS; reply window 30 days; "
                + "low-credit warning off; at most 300 SMS a minute.\n"),
            Run("account", "set", "CI00123456", "--low-credit-warning", "0", "--sms-per-minute", "300", "--country", "au", "--relaxed-numbers", "true", "--max-parts", "3", "--reply-window-days", "30"));
        Assert.Equal((0, "User desk@example.com.au of account CI00123456: may send; a password; receipt emails.\n"),
            Run("user", "set", "CI00123456", "Desk@Example.com.au", "--receipt-emails", "true"));
        Assert.Equal((0, "User ops@example.com.au of account CI00123456: may send; a password; no receipt emails.\n"),
            Run("user", "set", "CI00123456", "ops@example.com.au", "--receipt-emails", "false"));
        shown = Run("account", "show", "CI00123456").Output;
        Assert.Contains("sender:     Acme\n", shown, StringComparison.Ordinal);
        Assert.Contains("low credit: warning off\nrate:       at most 300 SMS a minute\n", shown, StringComparison.Ordinal);
        Assert.Contains("numbers:    any 8 to 15 digits, at most 3 parts an SMS\nreplies:    matched within 30 days\n", shown, StringComparison.Ordinal);
        Assert.Contains("  desk@example.com.au (password, receipt emails)\n  ops@example.com.au (password)\n", shown, StringComparison.Ordinal);
        Assert.StartsWith("Account CI00123456: country AU; sender the gateway's;", Run("account", "set", "CI00123456", "--sender", "").Output, StringComparison.Ordinal);
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
        Assert.Equal((1, "Nothing to change for account CI00123456: give at least one setting.\n"), Run("account", "set", "CI00123456"));
        Assert.Equal((1, "A low-credit warning level is a number of credits, 0 or more (0: no warning).\n"),
            Run("account", "set", "CI00123456", "--low-credit-warning", "-1"));
        Assert.Equal((1, "There is no account CI00999999.\n"), Run("account", "set", "CI00999999", "--sender", "Acme"));
        Assert.Equal((1, "'Acme Widgets Ltd' cannot be a sender: use a number of up to 15 digits, or up to 11 letters, digits and spaces.\n"),
            Run("account", "set", "CI00123456", "--sender", "Acme Widgets Ltd"));
        Assert.Equal((1, "nobody@example.com is not a user of account CI00123456.\n"), Run("user", "set", "CI00123456", "nobody@example.com", "--receipt-emails", "true"));
        Run("user", "add", "CI00123456", "desk@example.com.au", "--password", "pw");
        Assert.Equal((1, "Nothing to change for desk@example.com.au: give receipt emails, disabled or a password.\n"), Run("user", "set", "CI00123456", "desk@example.com.au"));
        Assert.Equal((0, "User desk@example.com.au of account CI00123456: disabled; IP authentication only; no receipt emails.\n"),
            Run("user", "set", "CI00123456", "desk@example.com.au", "--disabled", "true", "--password", ""));
        Assert.Contains("  desk@example.com.au (IP only, disabled)\n", Run("account", "show", "CI00123456").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_setting_says_so_and_exits_2()
    {
        Assert.Equal((2, "Database:Provider is 'oracle'; this version knows only 'sqlite' and 'postgres'.\n"), Run("account", "list", "--Database:Provider=oracle"));
        Assert.Equal(2, Run("account", "add", "CI00123456", "--country", "ZZ").ExitCode);
        Assert.Equal(2, Run("account", "set", "CI00123456", "--country", "ZZ").ExitCode);
    }

    [Fact]
    public void An_account_ID_or_a_user_address_that_cannot_be_one_says_why_and_exits_2()
    {
        Assert.Equal((2, "'CI 001/../x' is not an account ID: use 1 to 32 letters, digits, - or _, such as CI00123456.\n"), Run("account", "add", "CI 001/../x"));
        Assert.Equal((2, "'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456' is not an account ID: use 1 to 32 letters, digits, - or _, such as CI00123456.\n"),
            Run("account", "add", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"));
        Assert.Equal(0, Run("account", "add", "CI00123456").ExitCode);
        Assert.Equal((2, "'ops@exa mple.com' is not an email address or a *@domain pattern: 'exa mple.com' is not a domain name.\n"),
            Run("user", "add", "CI00123456", "ops@exa mple.com", "--password", "pw"));
        Assert.Equal((2, "'a..b@example.com' is not an email address or a *@domain pattern: the part before @ holds characters an address cannot have unquoted.\n"),
            Run("user", "add", "CI00123456", "a..b@example.com"));
        Assert.DoesNotContain("a..b@example.com", Run("account", "show", "CI00123456").Output, StringComparison.Ordinal);
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
        foreach (var verb in new[] { "add", "allow-ip", "credit", "set", "show", "list" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }

        var user = Cli.Run("user", "--help").Output;
        Assert.Contains("add", user, StringComparison.Ordinal);
        Assert.Contains("set", user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_is_added_with_a_pbkdf2_hash_that_verifies_only_their_password()
    {
        Assert.Equal((0, "Operator alice added; sign in at the dashboard's /dashboard.\n"), Run("operator", "add", "alice", "--password", "s3cret pass"));

        var database = new SqliteDatabase(ConnectionString);
        await using (var connection = await database.OpenAsync())
        {
            var stored = await connection.QuerySingleAsync<string>("SELECT password_hash FROM operators WHERE name = 'alice'");
            Assert.StartsWith("pbkdf2-sha256$210000$", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", stored, StringComparison.Ordinal);
        }

        var operators = new OperatorStore(database, TimeProvider.System);
        Assert.True(await operators.VerifyAsync("ALICE", "s3cret pass"));
        Assert.False(await operators.VerifyAsync("alice", "s3cret"));
        Assert.False(await operators.VerifyAsync("bob", "s3cret pass"));
    }

    [Fact]
    public void A_second_operator_of_the_same_name_is_refused()
    {
        Assert.Equal(0, Run("operator", "add", "alice", "--password", "one").ExitCode);
        Assert.Equal((1, "There is already an operator Alice.\n"), Run("operator", "add", "Alice", "--password", "two"));
    }

    [Fact]
    public void Without_a_password_and_no_terminal_to_ask_at_nothing_is_added()
    {
        var (exitCode, output) = Run("operator", "add", "alice");
        Assert.Equal(2, exitCode);
        Assert.Contains("An operator needs a password", output, StringComparison.Ordinal);
    }
}
