namespace OrleansRpc.Protocol.Frames;

/// <summary>Outcome of decoding one complete msgpack value as a rap frame.</summary>
public enum RapDecodeStatus
{
    /// <summary>A well-formed frame (its type may still be unknown; that is the state machine's call).</summary>
    Ok,

    /// <summary>Valid msgpack that is not an array.</summary>
    NotArray,

    /// <summary>An array of the wrong length (HEAD: fewer than 4; v0.5.3.8: not 6).</summary>
    WrongLength,

    /// <summary>The type/num element is not an int.</summary>
    InvalidMessageType,

    /// <summary>The id element is not an int that fits a signed 64-bit integer.</summary>
    InvalidId,

    /// <summary>v0.5.3.8: group or func_name is not a str.</summary>
    InvalidAddress,

    /// <summary>The header is not a map, or has a non-str key.</summary>
    InvalidHeader,

    /// <summary>Somewhere in the body a map has a key that is not str or bin (Python peers cannot decode it, §1.4).</summary>
    InvalidBody,

    /// <summary>
    /// The frame is well formed but its body nests deeper than the reader's <see cref="MessagePack.MessagePackReaderOptions.MaxDepth"/>:
    /// a call with bad parameters, not bad input. The frame's type, id, header (and v0.5.3.8 address) are set; its body
    /// is the rest of the frame, undecoded.
    /// </summary>
    BodyTooDeep,

    /// <summary>Not decodable as msgpack (0xc1, bad UTF-8, a limit exceeded ...).</summary>
    Malformed,
}
