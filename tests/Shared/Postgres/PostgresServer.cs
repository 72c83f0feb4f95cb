using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mail2Sms.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL cluster for this test process, made by Debian's <c>postgresql</c> package (installed on first
/// use): <c>initdb</c> into a temporary folder, run as the unprivileged <c>postgres</c> user when the tests run as root,
/// on a free loopback port, started on first use and stopped when the process ends. Each caller gets a database of its
/// own. <c>MAIL2SMS_TEST_POSTGRES</c> may name an existing server instead (a connection string of a user that may
/// create databases).
/// </summary>
internal static class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnection;
    private static int _databases;

    /// <summary>The connection string of a new, empty database on the server.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionAsync();
        var name = $"m2s_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new Npgsql.NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>The server's administrator connection string, the server started first when it is not yet.</summary>
    public static async Task<string> AdminConnectionAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _adminConnection ??= Environment.GetEnvironmentVariable("MAIL2SMS_TEST_POSTGRES") is { Length: > 0 } given ? given : await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The folder of the server's programs (<c>initdb</c>, <c>pg_ctl</c>), the package installed first when missing.</summary>
    public static async Task<string> BinariesAsync()
    {
        await DebianPackages.EnsureInstalledAsync(() => Task.FromResult(FindBinaries() is not null), "postgresql");
        return FindBinaries()!;
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;

    private static async Task<string> StartAsync()
    {
        var bin = await BinariesAsync();
        var folder = Directory.CreateTempSubdirectory("mail2sms-pg-").FullName;
        var data = Path.Combine(folder, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot && !OperatingSystem.IsWindows())
        {
            // initdb refuses root: the cluster belongs to the package's postgres user, who must reach its folder.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);
            await RunAsync("chown", "postgres", folder);
        }

        await RunAsync(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        var port = FreePort();
        // fsync off: a test kills gateways, never this server, and the suite's many databases are made faster without it.
        await RunAsync(asRoot, Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(folder, "postgres.log"), "-w", "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500 -c shared_buffers=64MB", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Run(asRoot, Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
            Directory.Delete(folder, recursive: true);
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=20";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, params string[] args) => await RunAsync(false, program, args);

    private static async Task RunAsync(bool asPostgres, string program, params string[] args)
    {
        using var process = Process.Start(Start(asPostgres, program, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {process.ExitCode}\n{await output}\n{await error}");
        }
    }

    private static void Run(bool asPostgres, string program, params string[] args)
    {
        using var process = Process.Start(Start(asPostgres, program, args))!;
        process.WaitForExit(30_000);
    }

    private static ProcessStartInfo Start(bool asPostgres, string program, string[] args)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
