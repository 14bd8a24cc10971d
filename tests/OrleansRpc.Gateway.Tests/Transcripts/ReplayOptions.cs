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

    /// <summary>The crypto key the client used (id and secret), for the crypto scenarios.</summary>
    public (string Id, string Secret)? Crypto { get; init; }

    /// <summary>
    /// Extra comparer paths whose values depend on the recording's circumstances, not on the server's
    /// behaviour (e.g. counters that include earlier runs against the same recorded server process).
    /// </summary>
    public IReadOnlyCollection<string> VariablePaths { get; init; } = [];

    /// <summary>The recording proxy posed as a remote peer: its address in texts and <c>host</c> fields is not compared.</summary>
    public bool PeerAddressVaries { get; init; }

    /// <summary>
    /// Server frames that are not in the recording but are accepted (a documented, deliberate difference from
    /// rap's own server, e.g. answering an in-flight 0.5.3.8 call before a shutdown closes the connection).
    /// </summary>
    public Func<OrleansRpc.MessagePack.MessagePackValue, bool>? AcceptUnrecorded { get; init; }

    /// <summary>How long to wait for the next expected frame.</summary>
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
