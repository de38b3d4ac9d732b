using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Keys;

/// <summary>Who is calling: the account a valid key belongs to, and what the key may do.</summary>
public sealed record ApiCaller(long AccountId, long KeyId, KeyScopes Scopes)
{
    /// <summary>Binds the caller that <see cref="KeyAuthenticationMiddleware"/> established for this request.</summary>
    public static ValueTask<ApiCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Features.Get<ApiCaller>());
}

/// <summary>Endpoint metadata: the scope a key needs to reach the endpoint. Endpoints without it are public.</summary>
public sealed record RequiredScope(KeyScopes Scope);

public static class RequiredScopeExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, KeyScopes scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScope(scope));
}
