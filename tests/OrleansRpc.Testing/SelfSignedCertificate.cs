using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRpc.Testing;

/// <summary>A fresh self-signed certificate for localhost (DNS and 127.0.0.1) written as PEM files (what rap's ssl_crt_path/ssl_key_path expect).</summary>
public sealed class SelfSignedCertificate : IDisposable
{
    private readonly string _directory;

    public SelfSignedCertificate()
    {
        _directory = Directory.CreateTempSubdirectory("orleansrpc-tls-").FullName;
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        CertificatePath = Path.Combine(_directory, "server.crt");
        KeyPath = Path.Combine(_directory, "server.key");
        File.WriteAllText(CertificatePath, created.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Certificate = X509CertificateLoader.LoadCertificate(created.RawData);
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>The public certificate (what the client trusts).</summary>
    public X509Certificate2 Certificate { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
