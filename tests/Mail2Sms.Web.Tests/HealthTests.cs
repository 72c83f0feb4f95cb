using System.Net;
using System.Text.Json;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Web.Tests;

/// <summary><c>/healthz</c> and <c>/readyz</c> over a real Kestrel on loopback, the store a real SQLite file.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-web-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(Func<int> bound, string path, bool migrated = true)
    {
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "mail2sms.db")}");
        if (migrated)
        {
            await database.MigrateAsync();
        }

        await using var web = WebGateway.Build(new WebOptions { Urls = "http://127.0.0.1:0" }, new GatewayState(new SqliteStorage(database, TimeProvider.System), () => SmscStates.Of(2, bound())));
        await web.StartAsync();
        using var response = await _http.GetAsync(new Uri(WebGateway.Addresses(web).Single() + path));
        var body = await response.Content.ReadAsStringAsync();
        await web.StopAsync();
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task Healthz_answers_ok_while_the_process_runs_even_with_no_bind()
    {
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(() => 0, "/healthz"));
    }

    [Fact]
    public async Task Readyz_is_ready_when_the_database_answers_and_a_bind_is_up()
    {
        var (status, body) = await GetAsync(() => 1, "/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(("ok", "ok", 1, 2), (json.RootElement.GetProperty("database").GetString(), json.RootElement.GetProperty("smsc").GetString(),
            json.RootElement.GetProperty("binds").GetProperty("bound").GetInt32(), json.RootElement.GetProperty("binds").GetProperty("configured").GetInt32()));
    }

    [Fact]
    public async Task Readyz_answers_503_naming_what_is_missing_when_no_bind_is_up()
    {
        var (status, body) = await GetAsync(() => 0, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        using var json = JsonDocument.Parse(body);
        Assert.False(json.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("no bind is up", json.RootElement.GetProperty("smsc").GetString());
    }

    [Fact]
    public async Task Readyz_names_the_channel_that_is_down_and_why()
    {
        var (status, body) = await GetAsync(() => 0, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        using var json = JsonDocument.Parse(body);
        var channel = Assert.Single(json.RootElement.GetProperty("channels").EnumerateArray());
        Assert.Equal(("smpp", false, "no bind up to smsc.example:2775"),
            (channel.GetProperty("name").GetString(), channel.GetProperty("up").GetBoolean(), channel.GetProperty("detail").GetString()));
        Assert.Equal(["smpp"], json.RootElement.GetProperty("down").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Readyz_names_no_channel_down_while_the_smpp_channel_is_up()
    {
        var (status, body) = await GetAsync(() => 1, "/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var channel = Assert.Single(json.RootElement.GetProperty("channels").EnumerateArray());
        Assert.Equal(("smpp", true, "1 of 2 binds up to smsc.example:2775"),
            (channel.GetProperty("name").GetString(), channel.GetProperty("up").GetBoolean(), channel.GetProperty("detail").GetString()));
        Assert.Empty(json.RootElement.GetProperty("down").EnumerateArray());
    }

    [Fact]
    public async Task Readyz_answers_503_when_the_database_is_not_migrated()
    {
        var (status, body) = await GetAsync(() => 1, "/readyz", migrated: false);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.NotEqual("ok", JsonDocument.Parse(body).RootElement.GetProperty("database").GetString());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_dashboards_keys_folder_is_made_0700()
    {
        var keys = Path.Combine(_folder, "keys");
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "mail2sms.db")}");
        await database.MigrateAsync();

        await using var web = WebGateway.Build(new WebOptions { Urls = "http://127.0.0.1:0", KeysDirectory = keys }, new GatewayState(new SqliteStorage(database, TimeProvider.System), () => SmscStates.Of(1, 1)));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
    }
}
