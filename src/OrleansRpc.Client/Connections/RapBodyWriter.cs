using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Connections;

/// <summary>Writes a frame body from <paramref name="state"/>; static lambdas keep the send path free of closures.</summary>
internal delegate void RapBodyWriter<TState>(ref MessagePackWriter writer, TState state);
