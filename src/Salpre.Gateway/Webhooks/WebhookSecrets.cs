using Microsoft.AspNetCore.DataProtection;

namespace Salpre.Gateway.Webhooks;

/// <summary>
/// Endpoint secrets are stored sealed with the gateway's data-protection key ring (the one kept in the database for
/// the dashboard's cookies, shared by every node); they are shown once, at creation and rotation, and never logged.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Salpre.Webhooks.EndpointSecret.v1");

    public byte[] Seal(string secret) => _protector.Protect(WebhookSignature.KeyOf(secret));

    /// <summary>The signing key of a sealed secret.</summary>
    public byte[] Open(byte[] sealedSecret) => _protector.Unprotect(sealedSecret);
}
