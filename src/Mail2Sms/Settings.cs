using System.CommandLine;
using Mail2Sms.Gateway.Storage;
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

    /// <summary>The clock of every verb and of everything <c>serve</c> builds: the one place the system's clock is named.</summary>
    public TimeProvider Clock { get; } = TimeProvider.System;

    /// <summary><c>--data-dir</c>, on every verb: the folder every file the gateway writes goes under, unless a setting names another place.</summary>
    public static Option<string> DataDirectory { get; } = new("--data-dir")
    {
        Description = "The folder for the database, the SMTP certificate, the sign-in keys and the pickup folder, unless a setting names another place.",
        DefaultValueFactory = _ => "data",
        Recursive = true,
    };

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

    /// <summary>
    /// The storage the settings name (<c>Database:Provider</c>, the embedded one by default), opened on
    /// <c>Database:ConnectionString</c> or else on the provider's own file under <paramref name="dataDirectory"/>.
    /// </summary>
    public IStorage Storage(string dataDirectory, TimeProvider clock)
    {
        var name = Configuration["Database:Provider"];
        var provider = StorageProviders.Find(name)
            ?? throw new SettingsException($"Database:Provider is '{name}'; this version knows only {string.Join(" and ", StorageProviders.Names.Select(n => $"'{n}'"))}.");
        return provider.Open(Configuration["Database:ConnectionString"] ?? provider.DefaultConnectionString(dataDirectory), clock);
    }

    /// <summary>
    /// Runs a verb against the configured database, migrated first. A refusal of the store is one line
    /// and exit code 1; a wrong setting or argument, exit code 2.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<IStorage, TextWriter, Task> action)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await using var storage = Storage(parse.GetValue(DataDirectory)!, Clock);
            await storage.MigrateAsync().ConfigureAwait(false);
            await action(storage, parse.InvocationConfiguration.Output).ConfigureAwait(false);
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
