using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;

namespace Newsletter.AdminConsole;

/// <summary>
/// The console's session: a cookie holding the key's fingerprint and when the session ends, protected (encrypted
/// and signed) by the application's data-protection key ring, so every node reads it and nobody can forge or
/// stretch it. The key itself is never in it. The role is looked up again on every request from the configured
/// keys, so a key removed from the settings ends its sessions at the next restart, and a role changed applies at once.
/// </summary>
public sealed class ConsoleSessions(IDataProtectionProvider protection, ApiKeyFilter keys, IOptions<AdminOptions> admin, IOptions<SiteOptions> site, TimeProvider clock)
{
    public const string CookieName = "newsletter.admin";
    public const string CallerItem = "admin.caller";
    public const string CookiePath = "/admin";

    private readonly IDataProtector _protector = protection.CreateProtector("Newsletter.AdminConsole.Session.v1");

    /// <summary>The caller the request's session names, or null (no cookie, tampered, expired, or its key no longer configured).</summary>
    public AdminCaller? Read(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } cookie)
        {
            return null;
        }
        string payload;
        try
        {
            payload = _protector.Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return null;
        }
        var parts = payload.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var endsAt)
            || clock.GetUtcNow().ToUnixTimeSeconds() >= endsAt)
        {
            return null;
        }
        return keys.CallerByActor(parts[0]);
    }

    /// <summary>Starts a session, or renews one: it ends <see cref="AdminOptions.SessionMinutes"/> after this request.</summary>
    public void Issue(HttpContext context, AdminCaller caller)
    {
        var endsAt = clock.GetUtcNow().AddMinutes(admin.Value.SessionMinutes);
        var options = CookieOptions(context);
        options.Expires = endsAt; // the browser forgets it too, not only the server
        context.Response.Cookies.Append(CookieName, _protector.Protect($"{caller.Actor}|{endsAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"), options);
    }

    public void End(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(context));

    private CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps || site.Value.BaseUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase),
        Path = CookiePath,
        IsEssential = true,
    };
}
