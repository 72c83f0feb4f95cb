using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Web.Tests;

/// <summary>
/// The web side over a real Kestrel on loopback and a real SQLite file, with one account, one operator
/// (<c>ops</c>, password <see cref="Password"/>) and a browser-like client that keeps cookies and does not follow redirects.
/// </summary>
internal sealed partial class DashboardSite : IAsyncDisposable
{
    public const string Password = "correct horse battery";
    public const string Account = "CI00000001";

    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-dashboard-").FullName;
    private WebApplication _web = null!;

    private DashboardSite(string? databaseFile)
    {
        DatabaseFile = databaseFile ?? Path.Combine(_folder, "mail2sms.db");
        Database = new SqliteDatabase($"Data Source={DatabaseFile}");
        Accounts = new AccountStore(Database, Clock);
        Storage = new SqliteStorage(Database, Clock);
        ClientHandler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        Client = new HttpClient(ClientHandler);
    }

    public SqliteDatabase Database { get; }

    public AccountStore Accounts { get; }

    public SqliteStorage Storage { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public HttpClient Client { get; }

    private HttpMessageHandler ClientHandler { get; }

    /// <summary>The database file this site opens.</summary>
    public string DatabaseFile { get; }

    /// <summary>Starts a site; with <paramref name="databaseFile"/> another node of a site already started on that file (nothing added to it).</summary>
    public static async Task<DashboardSite> StartAsync(int boundBinds = 1, string? keysDirectory = null, string? databaseFile = null)
    {
        var site = new DashboardSite(databaseFile);
        if (databaseFile is null)
        {
            await site.Database.MigrateAsync();
            await site.Accounts.AddAccountAsync(Account, "AU", null, relaxedNumbers: false, credits: 500);
            await new OperatorStore(site.Database, site.Clock).AddAsync("ops", Password);
        }

        // Two binds configured: the first bound (when boundBinds says so), the second refused with a reason that must show as text.
        Gateway.Delivery.BindStatus[] binds =
        [
            new(1, boundBinds > 0, site.Clock.GetUtcNow().AddMinutes(-5), boundBinds > 0 ? "SMSC1" : "Connection refused", boundBinds > 0 ? 3 : 0),
            new(2, false, site.Clock.GetUtcNow().AddMinutes(-1), "the SMSC refused the bind: <b>BindFailed</b>", 0),
        ];
        site._web = WebGateway.Build(new WebOptions { Urls = "http://127.0.0.1:0", KeysDirectory = keysDirectory }, new GatewayState(site.Storage, () => [new ReportedChannel("smpp", binds)])
        {
            Accounts = site.Accounts,
            Replies = new ReplyForwarder(new ReplyStore(site.Database, site.Clock), new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7)),
            Clock = site.Clock,
            SmscTarget = "smsc.example:2775 as acme",
        });
        await site._web.StartAsync();
        site.Client.BaseAddress = new Uri(WebGateway.Addresses(site._web).Single());
        return site;
    }

    /// <summary>The cookies this client holds for its site, as a Cookie header would carry them to another.</summary>
    public string Cookies => ((HttpClientHandler)ClientHandler).CookieContainer.GetCookieHeader(Client.BaseAddress!);

    public async Task<(HttpStatusCode Status, string Body, string? Location)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString);
    }

    /// <summary>Posts a form; the anti-forgery token of <paramref name="tokenFrom"/> (a page fetched first) is added unless it is null.</summary>
    public async Task<(HttpStatusCode Status, string Body, string? Location)> PostAsync(string path, string? tokenFrom, params (string Name, string Value)[] fields)
    {
        var form = fields.ToList();
        if (tokenFrom is not null)
        {
            form.Add(("__RequestVerificationToken", TokenIn((await GetAsync(tokenFrom)).Body)));
        }

        using var content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Name, f.Value)));
        using var response = await Client.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString);
    }

    public Task<(HttpStatusCode Status, string Body, string? Location)> SignInAsync(string name = "ops", string password = Password, string returnUrl = "") =>
        PostAsync("/dashboard/sign-in", "/dashboard/sign-in", ("name", name), ("password", password), ("returnUrl", returnUrl));

    /// <summary>Signs in as <c>ops</c>, failing the test unless it worked.</summary>
    public async Task SignedInAsync() => Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync()).Status);

    public static string TokenIn(string page) => TokenField().Match(page) is { Success: true } match ? match.Groups[1].Value
        : throw new InvalidOperationException($"no anti-forgery token in:\n{page}");

    /// <summary>An accepted email with one SMS per (number, status), written as intake and delivery would; returns the email ID and the SMS IDs.</summary>
    public async Task<(long Email, long[] Sms)> EmailAsync(string subject, DateTimeOffset at, params (string Number, string? Name, string Text, string Status)[] sms)
    {
        await using var connection = await Database.OpenAsync();
        var when = at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var email = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO emails (account_id, originator, mail_from, client_ip, format, subject, size_bytes, credits, received_at)
            VALUES (@Account, 'nagios@example.com', 'nagios@example.com', '127.0.0.1', 1, @subject, 100, @credits, @when) RETURNING id
            """, new { Account, subject, credits = sms.Length, when });
        var ids = new List<long>();
        foreach (var s in sms)
        {
            ids.Add(await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO sms (email_id, account_id, number, name, text, encoding, parts, priority, status, due_at, created_at)
                VALUES (@email, @Account, @Number, @Name, @Text, 'Gsm7', 1, 0, @Status, @when, @when) RETURNING id
                """, new { email, Account, s.Number, s.Name, s.Text, s.Status, when }));
        }

        return (email, [.. ids]);
    }

    public async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await Database.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    public async ValueTask DisposeAsync() => await WebTeardown.StopAsync(_web, Client, Accounts, _folder);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
