using System.Globalization;
using System.Net;

namespace Newsletter.Operations;

/// <summary>
/// The part of a host name one registers (papers.example.co.uk → example.co.uk), which is what DMARC's relaxed
/// alignment compares. The Public Suffix List does not come with .NET and this is one warning of doctor, so the
/// common second-level registries stand in for it: a suffix missing here can only make a warning wrong, never a
/// failure.
/// </summary>
public static class RegistrableDomain
{
    private static readonly HashSet<string> SecondLevelSuffixes = new(StringComparer.Ordinal)
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "sch.uk", "nhs.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "org.nz", "ac.nz", "govt.nz", "net.nz",
        "co.jp", "ac.jp", "or.jp", "ne.jp", "go.jp",
        "co.kr", "ac.kr", "or.kr", "re.kr",
        "com.cn", "edu.cn", "org.cn", "net.cn", "gov.cn", "ac.cn",
        "com.hk", "edu.hk", "org.hk", "com.tw", "edu.tw", "org.tw", "com.sg", "edu.sg", "gov.sg",
        "co.in", "ac.in", "org.in", "net.in", "gov.in", "edu.in", "res.in",
        "com.br", "org.br", "net.br", "gov.br", "edu.br", "com.ar", "com.mx", "org.mx", "edu.mx",
        "co.za", "ac.za", "org.za", "gov.za", "co.il", "ac.il", "org.il", "com.tr", "edu.tr", "org.tr",
        "ac.at", "co.at", "or.at",
    };

    /// <summary>The registrable domain of <paramref name="host"/> in lower-case ASCII; an IP address or a one-label name as it is.</summary>
    public static string Of(string host)
    {
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (IsIpLiteral(name))
        {
            return name;
        }
        try
        {
            name = new IdnMapping().GetAscii(name);
        }
        catch (ArgumentException)
        {
            return name; // not a valid name: compared as typed
        }
        var labels = name.Split('.');
        if (labels.Length <= 2)
        {
            return name;
        }
        var take = SecondLevelSuffixes.Contains($"{labels[^2]}.{labels[^1]}") ? 3 : 2;
        return string.Join('.', labels[^take..]);
    }

    /// <summary>An address where a name belongs: 192.0.2.1, [192.0.2.1], [IPv6:2001:db8::1], ::1.</summary>
    public static bool IsIpLiteral(string host)
    {
        var inner = host.Trim().TrimStart('[').TrimEnd(']');
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            inner = inner["IPv6:".Length..];
        }
        return IPAddress.TryParse(inner, out _);
    }
}
