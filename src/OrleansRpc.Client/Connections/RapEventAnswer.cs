using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Connections;

/// <summary>A decoded event answer.</summary>
internal readonly record struct RapEventAnswer(int MessageType, long StatusCode, MessagePackValue Body);
