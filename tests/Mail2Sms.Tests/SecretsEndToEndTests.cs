using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;
using MailKit.Net.Smtp;
using Microsoft.Data.Sqlite;
using MimeKit;

namespace Mail2Sms.Tests;

/// <summary>
/// A whole run of <c>serve</c> given every kind of secret, right and wrong: none of them may appear in its log, in any
/// column of any table of its database, nor in any file it writes to the pickup folder.
/// </summary>
public sealed partial class SecretsEndToEndTests : IDisposable
{
    private const string Account = "SEC00001";
    private const string User = "ops@secret.example";
    private const string UserPassword = "Us3r-Secret-41";
    private const string WrongUserPassword = "Wr0ng-Guess-77";
    private const string WrongAuthPassword = "Auth-Wr0ng-58";
    private const string SmppPassword = "Smpp-Secret-9";
    private const string OperatorPassword = "0perator-Secret-23";
    private const string WrongOperatorPassword = "0perator-Wr0ng-16";
    private const string WrongApiKey = "m2s_Wr0ng-Key-3141592653";

    private readonly SmscSimulator _smsc = SmscSimulator.Start(IPAddress.Loopback, 0);
    private readonly string _certificateFolder = Directory.CreateTempSubdirectory("mail2sms-cert-").FullName;
    private readonly GatewayProcess _gateway;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate;

    public SecretsEndToEndTests()
    {
        var certificate = Path.Combine(_certificateFolder, "smtp.pfx");
        _certificate = SmtpCertificate.Load(certificate, null, generate: true, ["sms.localhost"]);
        _gateway = new GatewayProcess("--Sms:Provider=smpp", "--Smpp:Host=127.0.0.1", $"--Smpp:Port={_smsc.Port}", $"--Smpp:Password={SmppPassword}",
            $"--Smtp:CertificatePath={certificate}", "--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:Microsoft=Information");
    }

    public void Dispose()
    {
        _gateway.Dispose();
        _smsc.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _certificate.Dispose();
        Directory.Delete(_certificateFolder, recursive: true);
    }

    [Fact]
    public async Task No_password_api_key_or_smpp_password_reaches_the_log_the_database_or_the_pickup_folder()
    {
        _gateway.Serve();
        Assert.Equal(0, _gateway.Run("account", "add", Account, "--country", "AU", "--credits", "100").ExitCode);
        Assert.Equal(0, _gateway.Run("user", "add", Account, User, "--password", UserPassword).ExitCode);
        Assert.Equal(0, _gateway.Run("operator", "add", "keeper", "--password", OperatorPassword).ExitCode);
        var (keyExit, keyOutput) = _gateway.Run("apikey", "add", Account, "--name", "grep");
        Assert.Equal(0, keyExit);
        var apiKey = keyOutput.Split('\n')[1].Trim();

        // [SENDER] blocks, right and wrong, each also to postmaster@: quoted-printable text and base64 HTML.
        using (var client = await _gateway.ConnectAsync())
        {
            Assert.StartsWith("2.0.0 Accepted: 1 SMS queued", await client.SendAsync(Blocked(UserPassword, 1)), StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Blocked(WrongUserPassword, 2)));
            Assert.Equal("5.7.1 The account ID and password in the [SENDER] block are not those of ops@secret.example: check both (the password is case-sensitive).", refused.Message);
            await client.DisconnectAsync(quit: true);
        }

        // SMTP AUTH over STARTTLS, wrong then right, and an email sent so.
        using (var client = new SmtpClient { ServerCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _certificate.GetCertHashString() })
        {
            await client.ConnectAsync("127.0.0.1", _gateway.Port, MailKit.Security.SecureSocketOptions.StartTls);
            client.AuthenticationMechanisms.Remove("LOGIN");
            var wrong = await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => client.AuthenticateAsync(User, WrongAuthPassword));
            Assert.Equal("535: 5.7.8 Authentication failed: check the user and password.", wrong.Message);
            await client.AuthenticateAsync(User, UserPassword);
            Assert.StartsWith("2.0.0 Accepted: 1 SMS queued", await client.SendAsync(Blocked(null, 3)), StringComparison.Ordinal);
            await client.DisconnectAsync(quit: true);
        }

        // The API with a wrong key and the right one.
        var web = Web();
        using (var http = new HttpClient())
        {
            using var wrongKey = new HttpRequestMessage(HttpMethod.Get, new Uri($"{web}/api/v1/account"));
            wrongKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WrongApiKey);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrongKey)).StatusCode);
            using var rightKey = new HttpRequestMessage(HttpMethod.Get, new Uri($"{web}/api/v1/account"));
            rightKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(rightKey)).StatusCode);
        }

        // The dashboard's sign-in, wrong then right.
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(http, web, WrongOperatorPassword));
            Assert.Equal(HttpStatusCode.Redirect, await SignInAsync(http, web, OperatorPassword));
        }

        // Every refusal and copy has been written, and the SMPP binds have failed (and been logged) at least once.
        await Waits.UntilAsync(() => Directory.Exists(_gateway.Outbox) && Directory.GetFiles(_gateway.Outbox, "*-postmaster.eml").Length == 2, "both postmaster copies in the pickup folder");
        await Waits.UntilAsync(() => Log().Contains("Password is longer than 8 octets (13): SMPP 3.4 holds at most 8.", StringComparison.Ordinal), "the failed bind logged");

        string[] secrets = [UserPassword, WrongUserPassword, WrongAuthPassword, SmppPassword, OperatorPassword, WrongOperatorPassword, WrongApiKey, apiKey];
        var log = Log();
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, log, StringComparison.Ordinal));
        var stored = await DatabaseTextAsync();
        Assert.Contains("PW = ********", stored, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, stored, StringComparison.Ordinal));
        var files = Directory.GetFiles(_gateway.Outbox).Select(f => Readable(File.ReadAllBytes(f))).ToList();
        Assert.All(files, file => Assert.All(secrets, secret => Assert.DoesNotContain(secret, file, StringComparison.Ordinal)));
        Assert.All(files.Where(f => f.Contains("[SENDER]", StringComparison.Ordinal)), file => Assert.Contains("PW = ********", file, StringComparison.Ordinal));
    }

    // An alert to a number, and to postmaster@ when it carries a [SENDER] block (none when password is null).
    private static MimeMessage Blocked(string? password, int n)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(User));
        message.To.Add(MailboxAddress.Parse("0412345678@sms.localhost"));
        if (password is not null)
        {
            message.Cc.Add(MailboxAddress.Parse("postmaster@sms.localhost"));
        }

        message.Subject = $"Alert {n}";
        message.MessageId = $"secret-{n}@secret.example";
        var block = password is null ? string.Empty : $"[SENDER]\r\n  ID = {Account}\r\n  PW = {password}\r\n\r\n";
        message.Body = new MultipartAlternative
        {
            new TextPart("plain") { Text = block + "Server 23 is offline.", ContentTransferEncoding = ContentEncoding.QuotedPrintable },
            new TextPart("html") { Text = $"<div>{block.Replace("\r\n", "</div><div>", StringComparison.Ordinal)}Server 23 is offline.</div>", ContentTransferEncoding = ContentEncoding.Base64 },
        };
        return message;
    }

    private string Log()
    {
        lock (_gateway.Output)
        {
            return string.Join('\n', _gateway.Output);
        }
    }

    private string Web()
    {
        lock (_gateway.Output)
        {
            return _gateway.Output.Single(l => l.StartsWith("Health and readiness: ", StringComparison.Ordinal))["Health and readiness: ".Length..].Replace("/readyz", string.Empty, StringComparison.Ordinal);
        }
    }

    private static async Task<HttpStatusCode> SignInAsync(HttpClient http, string web, string password)
    {
        var page = await http.GetStringAsync(new Uri($"{web}/dashboard/sign-in"));
        var token = TokenField().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("name", "keeper"), new("password", password), new("returnUrl", string.Empty)]);
        using var response = await http.PostAsync(new Uri($"{web}/dashboard/sign-in"), form);
        return response.StatusCode;
    }

    // Every value of every row of every table, as text: blobs read as the emails they hold.
    private async Task<string> DatabaseTextAsync()
    {
        var text = new StringBuilder();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_gateway.Folder, "mail2sms.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("outbound_mail", tables);
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.GetValue(i) switch { byte[] blob => Readable(blob), var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) }).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    // The bytes as they are, and, when they are an email, every text part decoded (base64 and quoted-printable undone).
    private static string Readable(byte[] bytes)
    {
        var text = new StringBuilder(Encoding.UTF8.GetString(bytes));
        try
        {
            using var stream = new MemoryStream(bytes);
            foreach (var part in MimeMessage.Load(stream).BodyParts.OfType<TextPart>())
            {
                text.Append('\n').Append(part.Text);
            }
        }
        catch (FormatException)
        {
            // Not an email: its bytes as text are all there is.
        }

        return text.ToString();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
