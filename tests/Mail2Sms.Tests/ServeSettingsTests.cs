using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Tests;

/// <summary><c>serve</c>'s settings: the SMPP sessions' own (TLS included), checked at start, and <c>--data-dir</c> for every file it writes.</summary>
public sealed class ServeSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-settings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("--Smpp:UseTls=yes", "Smpp:UseTls is 'yes'; it must be true or false.")]
    [InlineData("--Smpp:RequestReceipts=1", "Smpp:RequestReceipts is '1'; it must be true or false.")]
    [InlineData("--Smpp:ResponseTimeoutSeconds=0", "Smpp:ResponseTimeoutSeconds is '0'; it must be a whole number above 0.")]
    [InlineData("--Smpp:EnquireLinkSeconds=-5", "Smpp:EnquireLinkSeconds is '-5'; it must be a whole number above 0.")]
    [InlineData("--Smpp:MinReconnectSeconds=soon", "Smpp:MinReconnectSeconds is 'soon'; it must be a whole number above 0.")]
    [InlineData("--Smpp:MaxReconnectSeconds=1.5", "Smpp:MaxReconnectSeconds is '1.5'; it must be a whole number above 0.")]
    [InlineData("--Smpp:ThrottleSeconds=x", "Smpp:ThrottleSeconds is 'x'; it must be a whole number above 0.")]
    [InlineData("--Smpp:BindType=receiver", "Smpp:BindType is 'receiver'; it must be transceiver or transmitter.")]
    [InlineData("--Smpp:TlsServerCertificateThumbprint=AB:CD", "Smpp:TlsServerCertificateThumbprint is 'AB:CD'; it must be the certificate's SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint.")]
    public void Serve_with_an_smpp_setting_it_cannot_use_names_it_and_exits_2(string setting, string message)
    {
        var (exitCode, output) = Cli.Run("serve", "--data-dir", _folder, setting);
        Assert.Equal((2, message), (exitCode, output.Trim()));
    }

    [Theory]
    [InlineData("--Delivery:UnknownGraceSeconds=0", "Delivery:UnknownGraceSeconds is '0'; it must be a whole number above 0.")]
    [InlineData("--Delivery:UnknownGraceSeconds=1m", "Delivery:UnknownGraceSeconds is '1m'; it must be a whole number above 0.")]
    public void Serve_with_an_unknown_grace_that_is_no_whole_number_of_seconds_names_it_and_exits_2(string setting, string message)
    {
        var (exitCode, output) = Cli.Run("serve", "--data-dir", _folder, setting);
        Assert.Equal((2, message), (exitCode, output.Trim()));
    }

    [Fact]
    public void Serve_refuses_a_first_reconnect_wait_longer_than_the_longest()
    {
        var (exitCode, output) = Cli.Run("serve", "--data-dir", _folder, "--Smpp:MinReconnectSeconds=90", "--Smpp:MaxReconnectSeconds=60");
        Assert.Equal((2, "Smpp:MinReconnectSeconds is '90'; it must not be more than Smpp:MaxReconnectSeconds (60)."), (exitCode, output.Trim()));
    }

    [Fact]
    public async Task Serve_over_tls_to_an_smsc_with_a_self_signed_certificate_it_is_told_to_trust_delivers_an_sms()
    {
        using var certificate = SelfSigned();
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { Certificate = certificate });
        using var gateway = new GatewayProcess("--Sms:Provider=smpp", "--Smpp:Host=127.0.0.1", $"--Smpp:Port={smsc.Port}", "--Smpp:UseTls=true",
            $"--Smpp:TlsServerCertificateThumbprint={certificate.GetCertHashString(HashAlgorithmName.SHA256)}");
        gateway.Serve();
        using (var client = await gateway.ConnectAsync())
        {
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await client.SendAsync(GatewayProcess.Email(1)));
            await client.DisconnectAsync(quit: true);
        }

        var output = await gateway.MessagesUntilAsync(o => o.Contains(" delivered ", StringComparison.Ordinal), "the SMS delivered over TLS");
        Assert.Matches(@"DEMO0001\s+61412345678\s+delivered\s+1xGsm7 Alert 1 Server 23 is offline\.", output);
        Assert.Contains(smsc.Received, p => p is ShortMessage { DestinationAddress: "61412345678" });
    }

    [Fact]
    public async Task Serve_with_a_data_dir_writes_its_database_certificate_and_mail_only_there_and_a_verb_given_it_reads_the_same_database()
    {
        var dataDirectory = Path.Combine(_folder, "gateway-data");
        using var gateway = new GatewayProcess { DataDirectory = dataDirectory };
        gateway.Serve();
        var message = GatewayProcess.Email(4);
        message.To.Clear();
        message.To.Add(new MimeKit.MailboxAddress(string.Empty, "smsmail@sms.localhost"));
        message.Body = new MimeKit.TextPart("plain") { Text = "X-Cellphone: 0412345678\nX-Cellphone: 0298765432\n\nServer 23 is offline." };
        using (var client = await gateway.ConnectAsync())
        {
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        // The sign-in page's anti-forgery token needs a key: kept in the database, as no Web:KeysDirectory is given.
        using (var http = new HttpClient())
        {
            string web;
            lock (gateway.Output)
            {
                web = gateway.Output.Single(l => l.StartsWith("Health and readiness: ", StringComparison.Ordinal))["Health and readiness: ".Length..].Replace("/readyz", string.Empty, StringComparison.Ordinal);
            }

            await http.GetStringAsync(new Uri(web + "/dashboard/sign-in"));
        }

        await Waits.UntilAsync(() => Directory.Exists(gateway.Outbox) && Directory.GetFiles(gateway.Outbox, "*-report.eml").Length > 0, "the report in the data folder's pickup folder");
        Assert.True(File.Exists(Path.Combine(dataDirectory, "mail2sms.db")), "the database");
        Assert.True(File.Exists(Path.Combine(dataDirectory, "smtp.pfx")), "the SMTP certificate");
        Assert.False(Directory.Exists(Path.Combine(dataDirectory, "keys")), "sign-in keys written without Web:KeysDirectory");
        // Nothing in the working folder (no ./data).
        Assert.Empty(Directory.EnumerateFileSystemEntries(gateway.Folder));

        // Another verb, run from another working folder, finds the SMS in the same database.
        var (exitCode, output) = Cli.Run("messages", "--data-dir", dataDirectory);
        Assert.Equal(0, exitCode);
        Assert.Contains("Server 23 is offline.", output, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=smsc.example.com", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
