using System.Xml.Linq;
using Mail2Sms.Gateway.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Mail2Sms.Web.Dashboard;

/// <summary>
/// Data Protection's key repository over the store's <see cref="IProtectionKeys"/>: every node reads the keys every
/// node wrote, so a cookie one node issued is read by the others. Data Protection calls it synchronously, rarely
/// (at start, on a key's creation, once a day), so it waits for the store.
/// </summary>
internal sealed class StoredKeyRepository(IProtectionKeys keys) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. keys.AllAsync().GetAwaiter().GetResult().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        keys.StoreAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
    }
}
