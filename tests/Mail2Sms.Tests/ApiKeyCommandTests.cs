namespace Mail2Sms.Tests;

/// <summary><c>mail2sms apikey</c> verbs against a real SQLite file, run as processes.</summary>
public sealed class ApiKeyCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-apikeys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Setting => $"--Database:ConnectionString=Data Source={Path.Combine(_folder, "data", "mail2sms.db")}";

    private (int ExitCode, string Output) Run(params string[] args) => Cli.Run([.. args, Setting]);

    [Fact]
    public void An_operator_adds_a_key_shown_once_lists_keys_without_it_and_revokes_one()
    {
        Assert.Equal(0, Run("account", "add", "CI00123456", "--credits", "10").ExitCode);
        var (exitCode, output) = Run("apikey", "add", "ci00123456", "--name", "monitoring");
        Assert.Equal(0, exitCode);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"^API key 1 of account CI00123456 \(it is not shown again\):\n(m2s_[A-Za-z0-9_-]{43})\n$");
        Assert.True(match.Success, output);
        var key = match.Groups[1].Value;
        Assert.Equal(0, Run("apikey", "add", "CI00123456").ExitCode);

        Assert.Equal((0, "API key 1 of account CI00123456 is revoked.\n"), Run("apikey", "revoke", "CI00123456", "1"));
        var listed = Run("apikey", "list", "CI00123456");
        Assert.Equal(0, listed.ExitCode);
        Assert.Matches(@"^     1  \d{4}-\d\d-\d\d \d\d:\d\dZ  revoked \d{4}-\d\d-\d\d \d\d:\d\dZ\s+monitoring\n     2  \d{4}-\d\d-\d\d \d\d:\d\dZ  active\n$", listed.Output);
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);

        Assert.Equal((1, "Account CI00123456 has no API key 7.\n"), Run("apikey", "revoke", "CI00123456", "7"));
        Assert.Equal((1, "There is no account CI00999999.\n"), Run("apikey", "add", "CI00999999"));
    }
}
