using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Newsletter.Admin;

/// <summary>
/// Lets a request into /admin/api only with one of the configured keys as a bearer token. Keys are compared as
/// SHA-256 digests in constant time (no timing hint about how much of a key was right), and are never logged:
/// the audit log names a caller by a short fingerprint of the key.
/// </summary>
public sealed partial class ApiKeyFilter(IOptions<AdminOptions> options, ILogger<ApiKeyFilter> logger) : IEndpointFilter
{
    public const string ActorItem = "admin.actor";

    private readonly (byte[] Digest, string Actor)[] _keys = [.. options.Value.ApiKeys.Select(k => (Digest(k), Fingerprint(k)))];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = Presented(http.Request);
        var actor = presented is null ? null : Match(presented);
        if (actor is null)
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
                        : "That API key is not one of the configured Admin:ApiKeys.");
        }
        http.Items[ActorItem] = actor;
        return await next(context);
    }

    /// <summary>The caller a request's bearer key names, or null (no key, or not one of the configured keys); logs nothing.</summary>
    public string? ActorOf(HttpRequest request) => Presented(request) is { } presented ? Match(presented) : null;

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The caller as the audit log names it: "key:" and the first 8 hex digits of the key's SHA-256.</summary>
    public static string Fingerprint(string key) => "key:" + Convert.ToHexStringLower(Digest(key))[..8];

    private string? Match(string presented)
    {
        var digest = Digest(presented);
        string? actor = null;
        foreach (var (known, name) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                actor = name; // no early exit: every request compares against every key
            }
        }
        return actor;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin API refused {Method} {Path}: {Reason}")]
    private partial void LogRefused(string method, string path, string reason);
}
