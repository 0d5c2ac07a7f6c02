using System.Globalization;
using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Newsletter.Data;

namespace Newsletter.Web;

/// <summary>
/// The data-protection key ring in table data_protection_keys, one row per key (or revocation) as ASP.NET writes
/// it, already encrypted. ASP.NET calls this synchronously, at start-up and when the ring is due for a refresh.
/// </summary>
public sealed class KeyRingStore(Database database, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.Open();
        return [.. connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name").Select(xml => XElement.Parse(xml))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = database.Open();
        connection.Execute(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @Now)",
            new { Name = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting), Now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) });
    }
}
