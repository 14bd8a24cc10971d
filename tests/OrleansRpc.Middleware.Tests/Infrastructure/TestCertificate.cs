using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRpc.Middleware.Tests.Infrastructure;

/// <summary>A fresh self-signed certificate for localhost written as PEM files (the gateway's TLS inputs).</summary>
internal sealed class TestCertificate : IDisposable
{
    private readonly string _directory;

    public TestCertificate()
    {
        _directory = Directory.CreateTempSubdirectory("orleansrpc-mw-tls-").FullName;
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
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

    public X509Certificate2 Certificate { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
