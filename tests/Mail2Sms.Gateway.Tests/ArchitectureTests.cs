using System.Text.RegularExpressions;

namespace Mail2Sms.Gateway.Tests;

/// <summary>
/// The rooms of ARCHITECTURE (docs/architecture.md), read from the sources: only <c>Storage/Sqlite/</c> names SQLite and only <c>Storage/Postgres/</c> Npgsql,
/// <c>Storage/</c> never calls <c>Mail/</c>, <c>Smtp/</c> reaches the store only through <c>Intake/</c>, and no page runs SQL.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Mail2Sms.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Mail2Sms.slnx not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> Sources(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string[] Offenders(string folder, Regex pattern, params string[] except) =>
        [.. Sources(folder)
            .Where(f => !except.Any(e => f.StartsWith(Path.Combine(Root, e), StringComparison.Ordinal)))
            .Where(f => pattern.IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(Root, f))];

    [Fact]
    public void The_rules_read_every_source_file_and_find_sqlite_where_it_is()
    {
        Assert.Contains(Path.Combine("src", "Mail2Sms.Gateway", "Smtp", "SmtpSession.cs"), Sources("src").Select(f => Path.GetRelativePath(Root, f)));
        Assert.Contains(Path.Combine("src", "Mail2Sms.Gateway", "Storage", "Sqlite", "SqliteDatabase.cs"), Offenders("src", new Regex("sqlite", RegexOptions.IgnoreCase)));
    }

    [Fact]
    public void Only_the_sqlite_provider_folder_names_sqlite() =>
        Assert.Empty(Offenders("src", new Regex("sqlite", RegexOptions.IgnoreCase), except: Path.Combine("src", "Mail2Sms.Gateway", "Storage", "Sqlite")));

    [Fact]
    public void Only_the_postgres_provider_folder_names_npgsql() =>
        Assert.Empty(Offenders("src", new Regex("npgsql", RegexOptions.IgnoreCase), except: Path.Combine("src", "Mail2Sms.Gateway", "Storage", "Postgres")));

    // Dapper's QueryAsync reads with SequentialAccess, under which Npgsql may block a pool thread on the network inside
    // a synchronous getter: the PostgreSQL stores read rows through PostgresRows.RowsAsync (docs/operations.md, "On PostgreSQL").
    [Fact]
    public void The_postgres_stores_never_read_rows_through_dappers_query_async() =>
        Assert.Empty(Offenders(Path.Combine("src", "Mail2Sms.Gateway", "Storage", "Postgres"), new Regex(@"\.QueryAsync\b")));

    [Fact]
    public void Storage_never_calls_mail() =>
        Assert.Empty(Offenders(Path.Combine("src", "Mail2Sms.Gateway", "Storage"), new Regex(@"\bMail2Sms\.Gateway\.Mail\b|\bMail\.[A-Z]")));

    [Fact]
    public void Storage_depends_on_no_other_room_so_no_folders_cycle_through_it() =>
        Assert.Empty(Offenders(Path.Combine("src", "Mail2Sms.Gateway", "Storage"), new Regex(@"\bMail2Sms\.Gateway\.(Intake|Delivery|Mail|Smtp)\b")));

    [Fact]
    public void Smtp_reaches_the_store_only_through_intake() =>
        Assert.Empty(Offenders(Path.Combine("src", "Mail2Sms.Gateway", "Smtp"), new Regex(@"\bStorage\b")));

    [Fact]
    public void Only_storage_providers_run_sql() =>
        Assert.Empty(Offenders("src", new Regex(@"\busing Dapper;|\bDbConnection\b|\bDbTransaction\b"), except: [Path.Combine("src", "Mail2Sms.Gateway", "Storage", "Sqlite"), Path.Combine("src", "Mail2Sms.Gateway", "Storage", "Postgres")]));
}
