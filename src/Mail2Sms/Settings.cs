using System.CommandLine;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Mail2Sms;

/// <summary>
/// The configuration every verb reads, so that <c>account add</c> and <c>serve</c> meet in the same
/// database: <c>appsettings.json</c> in the working folder, then <c>MAIL2SMS_</c> environment variables
/// (<c>__</c> for <c>:</c>), then <c>--Section:Key=value</c> arguments, each overriding the one before.
/// </summary>
internal sealed class Settings
{
    private Settings(IConfiguration configuration) => Configuration = configuration;

    public IConfiguration Configuration { get; }

    /// <summary>Takes the <c>--Section:Key=value</c> arguments out of <paramref name="args"/>; the rest are the verb's.</summary>
    public static Settings From(string[] args, out string[] verbArgs)
    {
        var settings = args.Where(IsSetting).ToArray();
        verbArgs = args.Where(a => !IsSetting(a)).ToArray();
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables("MAIL2SMS_")
            .AddCommandLine(settings)
            .Build();
        return new Settings(configuration);
    }

    private static bool IsSetting(string arg) =>
        arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf(':', StringComparison.Ordinal) is > 2 and var colon
        && arg.IndexOf('=', StringComparison.Ordinal) > colon;

    /// <summary>The database the settings name; only SQLite for now.</summary>
    public SqliteDatabase Database()
    {
        var provider = Configuration["Database:Provider"] ?? "sqlite";
        if (!provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingsException($"Database:Provider is '{provider}'; this version knows only 'sqlite'.");
        }

        return new SqliteDatabase(Configuration["Database:ConnectionString"] ?? "Data Source=data/mail2sms.db");
    }

    /// <summary>
    /// Runs a verb against the configured database, migrated first. A refusal of the store is one line
    /// and exit code 1; a wrong setting or argument, exit code 2.
    /// </summary>
    public Task<int> RunAsync(ParseResult parse, Func<IStorage, TextWriter, Task> action) =>
        RunAsync(parse, async (SqliteDatabase database, TextWriter output) =>
        {
            await using var storage = new SqliteStorage(database, TimeProvider.System);
            await action(storage, output).ConfigureAwait(false);
        });

    /// <summary>Runs a verb against the configured database itself, as <see cref="RunAsync(ParseResult, Func{IStorage, TextWriter, Task})"/> does, for what has no contract yet.</summary>
    public async Task<int> RunAsync(ParseResult parse, Func<SqliteDatabase, TextWriter, Task> action)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var database = Database();
            await database.MigrateAsync().ConfigureAwait(false);
            await action(database, parse.InvocationConfiguration.Output).ConfigureAwait(false);
            return 0;
        }
        catch (StoreException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is SettingsException or ArgumentException or FileNotFoundException or System.Security.Cryptography.CryptographicException)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
    }
}

/// <summary>A setting that cannot be used, said in one sentence.</summary>
internal sealed class SettingsException(string message) : Exception(message);
