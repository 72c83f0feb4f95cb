using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Tests.Storage;

/// <summary>What the gateway writes to disk holding secrets is readable by its own user only.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FilesAtRestTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-modes-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_database_its_wal_and_shm_files_are_0600_in_a_0700_folder()
    {
        var path = Path.Combine(_folder, "data", "mail2sms.db");
        var database = new SqliteDatabase($"Data Source={path}");
        await database.MigrateAsync();
        await using var open = await database.OpenAsync();

        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.Combine(_folder, "data")));
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            Assert.True(File.Exists(file), $"{file} exists");
            Assert.Equal(Private, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void The_self_signed_smtp_certificate_is_0600_in_a_0700_folder()
    {
        var path = Path.Combine(_folder, "data", "smtp.pfx");

        using var certificate = SmtpCertificate.Load(path, null, generate: true, ["sms.localhost"]);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.Combine(_folder, "data")));
    }

    [Fact]
    public async Task A_database_file_that_exists_keeps_its_data_and_its_mode()
    {
        var path = Path.Combine(_folder, "kept.db");
        var first = new SqliteDatabase($"Data Source={path}");
        Assert.True(await first.MigrateAsync() > 0);
        SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(path, Private | UnixFileMode.GroupRead);

        Assert.Equal(0, await new SqliteDatabase($"Data Source={path}").MigrateAsync());
        Assert.Equal(Private | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }
}
