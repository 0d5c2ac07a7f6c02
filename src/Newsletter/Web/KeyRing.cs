using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Newsletter.Common;

namespace Newsletter.Web;

/// <summary>
/// ASP.NET's data-protection keys (they protect the anti-forgery token of every form) live in the database
/// (<see cref="KeyRingStore"/>), encrypted with a key derived from Site:SigningKey (<see cref="KeyRingEncryptor"/>):
/// every node and every restart uses the same key ring, so a form served by one node is accepted by another, and
/// no key lands unencrypted in the service user's home folder (ASP.NET's default).
/// </summary>
public static class KeyRing
{
    /// <summary>
    /// The same on every node: ASP.NET's default is the install folder, which would give nodes installed in
    /// different places different protection purposes over one shared key ring.
    /// </summary>
    public const string ApplicationName = "newsletter";

    public static IServiceCollection AddKeyRingInDatabase(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<KeyRingStore>();
        services.AddOptions<KeyManagementOptions>().Configure<KeyRingStore, LinkSigner>((o, store, signer) =>
        {
            o.XmlRepository = store;
            o.XmlEncryptor = new KeyRingEncryptor(signer);
        });
        return services;
    }
}
