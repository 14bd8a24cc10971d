using System.Security.Cryptography.X509Certificates;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Gateway.Tests.Transcripts;

/// <summary>How to replay one transcript.</summary>
internal sealed class ReplayOptions
{
    /// <summary>Connect over TLS trusting this certificate.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>Send each client frame no earlier than its recorded offset from the connection's first frame.</summary>
    public bool KeepTiming { get; init; }

    /// <summary>Runs once every client frame is sent (e.g. stop the server), before the last answers are awaited.</summary>
    public Func<TestCluster, Task>? AfterLastClientFrame { get; init; }

    /// <summary>The server must close the connection after its last expected frame.</summary>
    public bool ExpectServerClose { get; init; }

    /// <summary>Answer every server ping as the real client does (off to let the server see a silent client).</summary>
    public bool AnswerPings { get; init; } = true;

    /// <summary>How long to wait for each expected frame.</summary>
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
