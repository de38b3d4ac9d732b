namespace Salpre.Client;

/// <summary>A call for a Salpre Box of the account to place.</summary>
/// <param name="From"><c>salprebox:SERIAL_NO</c> of a connected box of the account.</param>
/// <param name="To">The number to call, E.164.</param>
/// <param name="AgentId">The AI agent that handles the call.</param>
public sealed record MakeCallRequest(string From, string To, long AgentId)
{
    /// <summary>
    /// Makes retries safe: the server answers a repeated key with the first answer. When null the client makes one
    /// (per <see cref="CallsClient.MakeAsync"/> call) and reuses it across that call's retries; set your own to make
    /// retries of your own (after a crash, say) safe too. 1 to 255 letters, digits, <c>_</c>, <c>:</c> or <c>-</c>.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>The call that make-call started.</summary>
public sealed record MadeCall
{
    [System.Text.Json.Serialization.JsonConverter(typeof(Serialization.CallIdConverter))]
    public required string CallId { get; init; }

    public CallStatus Status { get; init; }

    public long AgentId { get; init; }

    public string From { get; init; } = "";

    public string To { get; init; } = "";

    /// <summary>True when the server replayed the answer to an earlier request with the same idempotency key.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Replayed { get; init; }
}
