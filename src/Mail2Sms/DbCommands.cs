using System.CommandLine;
using System.Data.Common;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms;

/// <summary><c>mail2sms db ...</c>: the database as a whole; <c>db copy</c> moves a stopped one-machine gateway's store to a shared database.</summary>
internal static class DbCommands
{
    public static Command Create()
    {
        var (source, target) = (Provider<IStoreExporter>(), Provider<IStoreImporter>());
        var from = new Option<string?>("--from")
        {
            Description = $"The {source.Name} database to copy (a connection string, or the file's path); by default the one in --data-dir. Stop the gateway first.",
        };
        var to = new Option<string>("--to")
        {
            Description = $"The {target.Name} connection string of an empty database (migrated here if it is not yet).",
            Required = true,
        };
        var copy = new Command("copy", $"Copy every row of a stopped gateway's {source.Name} database into an empty {target.Name} database, IDs kept, and check the counts.") { from, to };
        copy.SetAction(async (parse, token) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var fromConnection = parse.GetValue(from) ?? source.Provider.DefaultConnectionString(parse.GetValue(Settings.DataDirectory)!);
            var toConnection = parse.GetRequiredValue(to);
            try
            {
                await using var export = ((IStoreExporter)source.Provider).OpenExport(fromConnection);
                await using var import = ((IStoreImporter)target.Provider).OpenImport(toConnection);
                await output.WriteLineAsync($"Copying {Masked(fromConnection)} into {Masked(toConnection)}").ConfigureAwait(false);
                var tables = await StoreCopy.CopyAsync(export, import, token).ConfigureAwait(false);
                var width = tables.Max(t => t.Table.Length);
                foreach (var (table, rows) in tables)
                {
                    await output.WriteLineAsync($"{table.PadRight(width)}  {rows,12}").ConfigureAwait(false);
                }

                await output.WriteLineAsync(
                    $"Copied {tables.Sum(t => t.Rows)} rows in {tables.Count} tables; the counts match. Serve it with Database:Provider={target.Name} and Database:ConnectionString.").ConfigureAwait(false);
                return 0;
            }
            catch (StoreException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 2;
            }
        });
        return new Command("db", "Work on the database as a whole.") { copy };
    }

    // The one provider of this build that can play the part.
    private static (string Name, IStorageProvider Provider) Provider<TPart>() =>
        StorageProviders.Names.Select(n => (Name: n, Provider: StorageProviders.Find(n)!)).Single(p => p.Provider is TPart);

    /// <summary>A connection string as it may be shown: any password replaced.</summary>
    internal static string Masked(string connectionString)
    {
        if (!connectionString.Contains('=', StringComparison.Ordinal))
        {
            return connectionString;
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in builder.Keys.Cast<string>().Where(k => k.Equals("password", StringComparison.OrdinalIgnoreCase) || k.Equals("pwd", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            builder[key] = "***";
        }

        return builder.ConnectionString;
    }
}
