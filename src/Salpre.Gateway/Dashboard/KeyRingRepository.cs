using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Salpre.Storage.Dashboard;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// The data-protection key ring in the database, so that every node seals and opens the same session cookies (and a
/// restart keeps everyone signed in). The framework reads it at start and about once a day, and writes a new key
/// every 90 days.
/// </summary>
public sealed class KeyRingRepository(IDashboardStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. store.ListKeyRing().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName) =>
        store.StoreKeyRingElement(string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName,
            element.ToString(SaveOptions.DisableFormatting));
}
