namespace Salpre.Gateway.Tests.Fuzz;

/// <summary>
/// What one fuzz worker owns: an account with a key of every scope and a read-only key, a connected and a
/// disconnected box, and what the run has learned so far (its calls, cursors, ETags, idempotency keys). Another
/// account's key and call let requests probe across tenants. A worker's requests run one at a time.
/// </summary>
public sealed class FuzzTenant(long accountId, string key, string readOnlyKey, string serial, string disconnectedSerial)
{
    public long AccountId { get; } = accountId;
    public string Key { get; } = key;
    public string ReadOnlyKey { get; } = readOnlyKey;
    public string Serial { get; } = serial;
    public string DisconnectedSerial { get; } = disconnectedSerial;
    public string OtherKey { get; set; } = "";
    public string OtherCallId { get; set; } = "";

    public List<string> CallIds { get; } = [];
    public List<string> Cursors { get; } = [];
    public List<string> ETags { get; } = [];
    public List<string> IdempotencyKeys { get; } = [];

    /// <summary>Calls that an accepted request made or changed: each must still read back at the end.</summary>
    public HashSet<string> Touched { get; } = [];
}
