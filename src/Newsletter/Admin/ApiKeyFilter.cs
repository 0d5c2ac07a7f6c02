using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Newsletter.Admin;

/// <summary>What a key may do: an admin reads and changes, a viewer only reads.</summary>
public static class AdminRole
{
    public const string Admin = "admin";
    public const string Viewer = "viewer";
}

/// <summary>Whom a key names (its fingerprint, as the audit log writes it) and its role.</summary>
public sealed record AdminCaller(string Actor, string Role)
{
    public bool MayChange => Role == AdminRole.Admin;
}

/// <summary>
/// Lets a request into /admin/api only with one of the configured keys as a bearer token. Keys are compared as
/// SHA-256 digests in constant time (no timing hint about how much of a key was right), and are never logged:
/// the audit log names a caller by a short fingerprint of the key. A viewer key reads; its writes are refused (403).
/// </summary>
public sealed partial class ApiKeyFilter(IOptions<AdminOptions> options, ILogger<ApiKeyFilter> logger) : IEndpointFilter
{
    public const string ActorItem = "admin.actor";

    private readonly (byte[] Digest, AdminCaller Caller)[] _keys =
    [
        .. options.Value.ApiKeys.Select(k => (Digest(k), new AdminCaller(Fingerprint(k), AdminRole.Admin))),
        .. options.Value.ViewerKeys.Select(k => (Digest(k), new AdminCaller(Fingerprint(k), AdminRole.Viewer))),
    ];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = Presented(http.Request);
        var caller = presented is null ? null : Match(presented);
        if (caller is null)
        {
            LogRefused(http.Request.Method, http.Request.Path, presented is null ? "no bearer token" : "unknown key");
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"newsletter-admin\"";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: _keys.Length == 0
                    ? "The admin API has no keys configured (Admin:ApiKeys), so it refuses every request."
                    : presented is null
                        ? "Send an admin API key as 'Authorization: Bearer <key>'."
                        : "That API key is not one of the configured Admin:ApiKeys or Admin:ViewerKeys.");
        }
        if (!caller.MayChange && IsWrite(http.Request.Method))
        {
            LogRefused(http.Request.Method, http.Request.Path, $"{caller.Actor} is a viewer");
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: "This key is one of Admin:ViewerKeys: it reads, and changes nothing. Use a key of Admin:ApiKeys to change data.");
        }
        http.Items[ActorItem] = caller.Actor;
        return await next(context);
    }

    /// <summary>The caller a request's bearer key names, or null (no key, or not one of the configured keys); logs nothing.</summary>
    public string? ActorOf(HttpRequest request) => Presented(request) is { } presented ? Match(presented)?.Actor : null;

    /// <summary>The caller a key names, or null when it is not configured (the console's sign-in); logs nothing.</summary>
    public AdminCaller? CallerOf(string key) => string.IsNullOrEmpty(key) ? null : Match(key);

    /// <summary>The caller behind a fingerprint while its key is still configured (a console session outlives no removed key).</summary>
    public AdminCaller? CallerByActor(string actor) => _keys.Select(k => k.Caller).FirstOrDefault(c => c.Actor == actor);

    /// <summary>Methods that change something: a viewer may not use them.</summary>
    public static bool IsWrite(string method) => HttpMethods.IsPost(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method) || HttpMethods.IsPut(method);

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The caller as the audit log names it: "key:" and the first 8 hex digits of the key's SHA-256.</summary>
    public static string Fingerprint(string key) => "key:" + Convert.ToHexStringLower(Digest(key))[..8];

    private AdminCaller? Match(string presented)
    {
        var digest = Digest(presented);
        AdminCaller? caller = null;
        foreach (var (known, who) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                caller = who; // no early exit: every request compares against every key
            }
        }
        return caller;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin API refused {Method} {Path}: {Reason}")]
    private partial void LogRefused(string method, string path, string reason);
}
