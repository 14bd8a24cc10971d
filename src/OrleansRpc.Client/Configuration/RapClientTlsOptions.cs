using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRpc.Client;

/// <summary>TLS for client connections (§1.2): TLS starts at the first byte, the rap stream runs inside it.</summary>
public sealed class RapClientTlsOptions
{
    /// <summary>Use TLS.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Trust exactly this certificate (like rap's <c>load_verify_locations</c> with one file); <see langword="null"/>
    /// uses the system trust store.
    /// </summary>
    public X509Certificate2? TrustedCertificate { get; set; }

    /// <summary>Check that the server certificate matches the host name. On by default; rap's client turns it off.</summary>
    public bool CheckHostName { get; set; } = true;

    /// <summary>Name sent as SNI and checked against the certificate; defaults to the endpoint host.</summary>
    public string? TargetHost { get; set; }

    /// <summary>Allowed protocol versions (system default when <see cref="SslProtocols.None"/>).</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    /// <summary>Optional client certificates (rap servers do not ask for one).</summary>
    public X509CertificateCollection? ClientCertificates { get; set; }
}
