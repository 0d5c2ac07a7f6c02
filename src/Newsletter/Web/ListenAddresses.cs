using Microsoft.Extensions.Configuration;
using Newsletter.Hosting;

namespace Newsletter.Web;

/// <summary>Checks where <c>serve</c> is told to listen before anything starts, so a mistake is one line and nothing is written.</summary>
public static class ListenAddresses
{
    /// <summary>
    /// Kestrel finds no certificate for an https:// address unless one is configured (or a developer certificate is
    /// installed, which a server does not have); it would fail only after the database was migrated and the hosted
    /// services had started, with a stack trace.
    /// </summary>
    public static void RequireCertificateForHttps(IConfiguration configuration, string[] urls)
    {
        var (given, from) = urls.Length > 0
            ? (urls, "--urls")
            : ((configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), "ASPNETCORE_URLS");
        var https = given.FirstOrDefault(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
        if (https is not null && !configuration.GetSection("Kestrel:Certificates:Default").Exists())
        {
            throw new ConfigurationError(
                $"{from} {https}: HTTPS needs a server certificate; set Kestrel:Certificates:Default:Path (and :Password, or :KeyPath), or listen on http:// and terminate TLS at a reverse proxy.");
        }
    }
}
