using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Smpp.Tests;

/// <summary>SMPP over TLS, as providers commonly ask: the client checks the SMSC's certificate.</summary>
public sealed class TlsTests : IAsyncDisposable
{
    private readonly X509Certificate2 _certificate = SelfSigned();
    private readonly SmscSimulator _smsc;

    public TlsTests() => _smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { Certificate = _certificate });

    public async ValueTask DisposeAsync()
    {
        await _smsc.DisposeAsync();
        _certificate.Dispose();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    [Fact]
    public async Task A_client_that_trusts_the_smscs_certificate_binds_and_submits_over_tls()
    {
        await using var client = new SmppClient(new SmppClientOptions
        {
            Host = "localhost",
            Port = _smsc.Port,
            SystemId = "test",
            UseTls = true,
            CertificateValidation = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString(),
        });
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var answer = await client.SubmitAsync(new ShortMessage(CommandId.SubmitSm) { DestinationAddress = "61412345678", Message = Encoding.ASCII.GetBytes("secret") });
        Assert.Equal(CommandStatus.Ok, answer.Status);
    }

    [Fact]
    public async Task A_client_never_binds_to_an_smsc_whose_certificate_it_does_not_trust()
    {
        var events = new ConcurrentQueue<SmppEvent>();
        await using var client = new SmppClient(new SmppClientOptions
        {
            Host = "localhost",
            Port = _smsc.Port,
            SystemId = "test",
            UseTls = true,
            MinReconnectDelay = TimeSpan.FromMilliseconds(50),
        }, onEvent: events.Enqueue);
        await Waits.UntilAsync(() => events.Count(e => e.Kind == SmppEventKind.Unbound) >= 2, "two refused handshakes");
        Assert.False(client.WaitBoundAsync().IsCompleted);
        Assert.Empty(_smsc.Received);
    }
}
