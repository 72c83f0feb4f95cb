using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using MimeKit;

namespace Mail2Sms.Web.Tests;

/// <summary>
/// The web side over a real Kestrel on loopback and a real SQLite file, sharing its stores with an
/// <see cref="IntakeService"/> as serve does, so that one case can be sent both as an email and through the API.
/// </summary>
internal sealed class ApiHarness : IAsyncDisposable
{
    public const string Domain = "sms.localhost";
    private static readonly IPAddress Office = IPAddress.Parse("203.0.113.5");
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-api-").FullName;
    private readonly IntakeService _intake;
    private WebApplication? _web;

    public ApiHarness()
    {
        Database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "mail2sms.db")}");
        Accounts = new AccountStore(Database, TimeProvider.System);
        Storage = new SqliteStorage(Database, TimeProvider.System);
        Keys = new ApiStore(Database, TimeProvider.System);
        var outbox = new OutboxStore(Database, TimeProvider.System);
        _intake = new IntakeService([Domain], new SenderAuthenticator(Accounts, new PasswordLockout(Storage.Lockouts, TimeProvider.System), new PasswordVerifier(TimeProvider.System)),
            Accounts, Storage.Emails, outbox);
    }

    public SqliteDatabase Database { get; }

    public AccountStore Accounts { get; }

    public SqliteStorage Storage { get; }

    public ApiStore Keys { get; }

    public HttpClient Http { get; } = new();

    public static async Task<ApiHarness> StartAsync()
    {
        var harness = new ApiHarness();
        await harness.Database.MigrateAsync();
        harness._web = WebGateway.Build(new WebOptions { Urls = "http://127.0.0.1:0" },
            new GatewayState(harness.Storage, () => SmscStates.Of(1, 1)) { Accounts = harness.Accounts, Intake = harness._intake, Domains = [Domain] });
        await harness._web.StartAsync();
        harness.Http.BaseAddress = new Uri(WebGateway.Addresses(harness._web).Single());
        return harness;
    }

    /// <summary>An account in Australia whose office may email (by IP address), and an API key of it.</summary>
    public async Task<string> AccountAsync(string id, long credits, long lowCreditWarning = 0)
    {
        await Accounts.AddAccountAsync(id, "AU", "Acme", false, credits, lowCreditWarning);
        await Accounts.AllowIpAsync(id, "203.0.113.0/24");
        await Accounts.AddUserAsync(id, $"ops@{id.ToLowerInvariant()}.example", null);
        return (await Keys.AddKeyAsync(id, "tests")).Key;
    }

    /// <summary>Sends an email of format 1 from the account's user, as the SMTP layer hands it to intake.</summary>
    public Task<SmtpReply> EmailAsync(string account, string to, string subject, string body)
    {
        var from = $"ops@{account.ToLowerInvariant()}.example";
        var text = $"From: {from}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid()}@example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n";
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        return _intake.ReceiveAsync(new IncomingEmail(message, new Envelope(from, [$"{to}@{Domain}"], Office), text.Length));
    }

    /// <summary>Sends <paramref name="body"/> to the API as JSON with <paramref name="key"/>.</summary>
    public async Task<(HttpStatusCode Status, string? ContentType, JsonElement Json)> SendAsync(HttpMethod method, string path, string? key, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = body as HttpContent ?? new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The SMS of an account, oldest first.</summary>
    public async Task<List<(string Number, string Text, string Encoding, long Parts)>> SmsOfAsync(string account)
    {
        await using var connection = await Database.OpenAsync();
        return [.. await connection.QueryAsync<(string, string, string, long)>("SELECT number, text, encoding, parts FROM sms WHERE account_id = @account ORDER BY id", new { account })];
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    public async Task<long> CreditsOfAsync(string account) => (await Accounts.FindAccountAsync(account))!.Credits;

    public async ValueTask DisposeAsync() => await WebTeardown.StopAsync(_web, Http, Accounts, _folder);
}
