using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>Self-signed certificates made in the test (CertificateRequest → PEM → loaded back).</summary>
internal static class TestCertificates
{
    public static X509Certificate2 CreateSelfSigned(string subjectName = "localhost", params string[] dnsNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.Length == 0 ? [subjectName] : dnsNames)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Round-trip through PEM (what a user would hand the client), then make it usable by SslStream as a server.
        var certificatePem = certificate.ExportCertificatePem();
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        using var fromPem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The public part only (what the client is given to trust).</summary>
    public static X509Certificate2 PublicPart(X509Certificate2 certificate) =>
        X509Certificate2.CreateFromPem(certificate.ExportCertificatePem());
}
