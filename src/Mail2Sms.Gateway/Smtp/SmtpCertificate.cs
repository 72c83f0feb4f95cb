using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>The certificate STARTTLS offers: one the operator configured, else a self-signed one made once and kept.</summary>
public static class SmtpCertificate
{
    /// <summary>Loads the PKCS#12 file at <paramref name="path"/>; when it does not exist and <paramref name="generate"/> is set, makes a self-signed one for <paramref name="names"/> there first.</summary>
    public static X509Certificate2 Load(string path, string? password, bool generate, IEnumerable<string> names)
    {
        if (!File.Exists(path))
        {
            if (!generate)
            {
                throw new FileNotFoundException($"The SMTP certificate {path} does not exist.", path);
            }

            // Its private key: readable by this user only (0600, in a 0700 folder when one is made for it).
            PrivateFiles.Write(path, SelfSigned(names).Export(X509ContentType.Pfx, password));
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }

    private static X509Certificate2 SelfSigned(IEnumerable<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var dnsNames = names.Append("localhost").Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            alternativeNames.AddDnsName(name);
        }

        alternativeNames.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(alternativeNames.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }
}
