namespace Salpre.Gateway.Calls.Removal;

/// <summary>The answer to <c>DELETE /call/{id}</c>.</summary>
public sealed record CallDeletion(string CallId, bool Deleted);

/// <summary><c>POST /erasures</c>: the number whose calls go.</summary>
public sealed record ErasureBody(string? Phone);

/// <summary>The answer to an erasure: how many calls went.</summary>
public sealed record ErasureResult(long CallsErased);
