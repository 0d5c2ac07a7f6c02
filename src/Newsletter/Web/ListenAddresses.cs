using Newsletter.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Newsletter.Web;

/// <summary>Checks where <c>serve</c> is told to listen before anything starts, so a mistake is one line and nothing is written.</summary>
public static class ListenAddresses
{
    /// <summary>Where <c>serve</c> listens when neither --urls nor ASPNETCORE_URLS says: the default Site:BaseUrl's address.</summary>
    public const string Default = "http://localhost:5080";

    /// <summary>The addresses asked for: --urls, else ASPNETCORE_URLS, else <see cref="Default"/>; and which of them said so.</summary>
    public static (string[] Urls, string From) Requested(IConfiguration configuration, string[] urls)
    {
        if (urls.Length > 0)
        {
            return (urls, "--urls");
        }
        var configured = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return configured.Length > 0 ? (configured, "ASPNETCORE_URLS") : ([Default], "the default");
    }

    /// <summary>
    /// Kestrel finds no certificate for an https:// address unless one is configured (or a developer certificate is
    /// installed, which a server does not have); it would fail only after the database was migrated and the hosted
    /// services had started, with a stack trace.
    /// </summary>
    public static void RequireCertificateForHttps(IConfiguration configuration, string[] urls)
    {
        var (given, from) = Requested(configuration, urls);
        var https = given.FirstOrDefault(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
        if (https is not null && !configuration.GetSection("Kestrel:Certificates:Default").Exists())
        {
            throw new ConfigurationError(
                $"{from} {https}: HTTPS needs a server certificate; set Kestrel:Certificates:Default:Path (and :Password, or :KeyPath), or listen on http:// and terminate TLS at a reverse proxy.");
        }
    }

    /// <summary>
    /// The base of emailed links when Site:BaseUrl is not set: the address <c>serve</c> listens on, so that a demo or
    /// a first try on another port writes links that answer. A wildcard host (all interfaces) is not an address a
    /// browser can open, so it becomes localhost. Null where no such base exists before the server starts (port 0 is
    /// chosen by the system; a Unix socket has no host): the default stays.
    /// </summary>
    public static string? LinkBase(string address)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return null; // Kestrel refuses it at start with its own message
        }
        if (binding.IsUnixPipe || binding.IsNamedPipe || binding.Port == 0)
        {
            return null;
        }
        var host = binding.Host is "+" or "*" or "0.0.0.0" or "[::]" or "::" ? "localhost" : binding.Host;
        return new UriBuilder(binding.Scheme, host, binding.Port).Uri.GetLeftPart(UriPartial.Authority);
    }
}
