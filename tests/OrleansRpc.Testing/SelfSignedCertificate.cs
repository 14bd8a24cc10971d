using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRpc.Testing;

/// <summary>
/// A fresh self-signed certificate for a host name (by default localhost, and 127.0.0.1 too), written as PEM files
/// (what rap's ssl_crt_path/ssl_key_path expect) and loaded as certificates for a client to trust and a server to present.
/// </summary>
public sealed class SelfSignedCertificate : IDisposable
{
    private readonly string _directory;

    /// <summary>Creates the certificate for <paramref name="dnsName"/>; <paramref name="includeLoopbackAddress"/> adds 127.0.0.1 to its names.</summary>
    public SelfSignedCertificate(string dnsName = "localhost", bool includeLoopbackAddress = true)
    {
        _directory = Directory.CreateTempSubdirectory("orleansrpc-tls-").FullName;
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        if (includeLoopbackAddress)
        {
            san.AddIpAddress(System.Net.IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        CertificatePath = Path.Combine(_directory, "server.crt");
        KeyPath = Path.Combine(_directory, "server.key");
        string certificatePem = created.ExportCertificatePem();
        string keyPem = key.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(CertificatePath, certificatePem);
        File.WriteAllText(KeyPath, keyPem);
        Certificate = X509CertificateLoader.LoadCertificate(created.RawData);

        // Through PKCS#12: a PEM-loaded key is ephemeral, which SslStream cannot serve with on every platform.
        using X509Certificate2 fromPem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        ServerCertificate = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>The public certificate (what the client trusts).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate with its private key (what an in-test server presents).</summary>
    public X509Certificate2 ServerCertificate { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        ServerCertificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
