using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Mail2Sms.Gateway.Tests.Mail;

/// <summary>A fresh RSA key written as a PEM file, and a DNS stand-in that serves its public part for one domain and selector.</summary>
public sealed class DkimTestKey : DkimPublicKeyLocatorBase
{
    public const string Domain = "sms.localhost";
    public const string Selector = "test2026";

    private readonly string _publicKey;

    public DkimTestKey(string folder)
    {
        using var rsa = RSA.Create(2048);
        KeyPath = Path.Combine(folder, "dkim.pem");
        File.WriteAllText(KeyPath, rsa.ExportRSAPrivateKeyPem());
        _publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    }

    public string KeyPath { get; }

    public DkimSigner Signer() => Gateway.Mail.OutboxSender.Signer(KeyPath, Domain, Selector);

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        domain == Domain && selector == Selector ? GetPublicKey($"v=DKIM1; k=rsa; p={_publicKey}") : throw new ArgumentException($"no key for {selector}._domainkey.{domain}");

    public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));

    /// <summary>True when the message's one DKIM-Signature verifies against this key.</summary>
    public bool Verifies(MimeMessage message)
    {
        var signature = Assert.Single(message.Headers, h => h.Id == HeaderId.DkimSignature);
        return new DkimVerifier(this).Verify(message, signature);
    }
}
