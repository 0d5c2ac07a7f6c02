using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Digests;

namespace Newsletter.Delivery;

/// <summary>
/// The VERP envelope sender of each message: <c>Smtp:BounceAddress</c> bounces@example.org becomes
/// <c>bounces+&lt;token&gt;@example.org</c>, the token naming the delivery (subscriber, day, sequence) or, for a
/// confirmation, the subscriber, and signed so that a bounce made up by anyone else is refused. A bounce comes back to
/// that address, so it says which digest failed without reading the remote server's prose.
/// </summary>
/// <remarks>
/// The token is kept short and in lower case: RFC 5321 allows a local part of 64 characters, and some relays fold the
/// case of a local part. Its signature is 64 bits of an HMAC under a key derived from <c>Site:SigningKey</c> (so it
/// changes when that key does): enough against anyone guessing, since each guess costs a message.
/// </remarks>
public sealed class ReturnPath(LinkSigner signer, IOptions<SmtpOptions> smtp)
{
    /// <summary>The longest token (a digest's, with a three-digit resend number) plus its '+'.</summary>
    public const int TokenRoom = 1 + 16 + 1 + 6 + 1 + 3 + 1 + 16;

    private const string ConfirmationMark = "c";
    private readonly byte[] _key = signer.DeriveKey("return-path");
    private readonly MailboxAddress? _bounce = Parse(smtp.Value.BounceAddress);

    /// <summary>Whether a bounce address is set (without one, messages go out with <c>Smtp:From</c> as their envelope sender).</summary>
    public bool Enabled => _bounce is not null;

    /// <summary>The envelope sender of a digest; null without a bounce address.</summary>
    public string? ForDigest(string subscriberId, DateOnly date, int sequence) =>
        Address($"{subscriberId}.{date.ToString("yyMMdd", CultureInfo.InvariantCulture)}.{sequence.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The envelope sender of a confirmation email (it names the subscriber; there is no delivery row).</summary>
    public string? ForConfirmation(string subscriberId) => Address($"{subscriberId}.{ConfirmationMark}");

    /// <summary>
    /// The token in <paramref name="address"/> when it is one of our bounce addresses (null otherwise, or without a
    /// bounce address): valid, naming a subscriber and perhaps a delivery, or forged.
    /// </summary>
    public ReturnPathToken? Read(string? address)
    {
        if (_bounce is null || Parse(address?.Trim().Trim('<', '>')) is not { } mailbox)
        {
            return null;
        }
        var at = mailbox.Address.LastIndexOf('@');
        var local = mailbox.Address[..at];
        var prefix = _bounce.LocalPart + "+";
        if (!local.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !string.Equals(mailbox.Domain, _bounce.Domain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = local[prefix.Length..];
        var cut = token.LastIndexOf('.');
        if (cut <= 0)
        {
            return ReturnPathToken.Forged(token);
        }
        var payload = token[..cut];
        var expected = Encoding.ASCII.GetBytes(Signature(payload));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token[(cut + 1)..].ToLowerInvariant())))
        {
            return ReturnPathToken.Forged(token);
        }
        var parts = payload.Split('.');
        if (parts is [var confirmed, ConfirmationMark])
        {
            return new ReturnPathToken(token, true, confirmed, null);
        }
        if (parts is [var subscriber, var day, var sequence]
            && DateOnly.TryParseExact(day, "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && int.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return new ReturnPathToken(token, true, subscriber, DigestPlans.DeliveryId(subscriber, date, number));
        }
        return ReturnPathToken.Forged(token);
    }

    /// <summary>Checks <c>Smtp:BounceAddress</c>: empty, or an address whose local part leaves room for the token.</summary>
    public static void Validate(string? address, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return;
        }
        const string Setting = $"{SmtpOptions.Section}:BounceAddress";
        if (Parse(address) is not { } mailbox || mailbox.Address != address.Trim())
        {
            failures.Add($"{Setting}: '{address}' is not an email address.");
        }
        else if (mailbox.LocalPart.Contains('+', StringComparison.Ordinal))
        {
            failures.Add($"{Setting}: '{address}' already has a '+' in it; give the plain address (bounces@example.org): the token is added after a '+'.");
        }
        else if (mailbox.LocalPart.Length + TokenRoom > 64)
        {
            failures.Add($"{Setting}: the part before the '@' of '{address}' is {mailbox.LocalPart.Length} characters; the token adds {TokenRoom} and RFC 5321 allows 64 in all, " +
                $"so use at most {64 - TokenRoom} (e.g. bounces@…).");
        }
    }

    private string? Address(string payload) =>
        _bounce is null ? null : $"{_bounce.LocalPart}+{payload}.{Signature(payload)}@{_bounce.Domain}";

    private string Signature(string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)).AsSpan(0, 8));

    private static MailboxAddress? Parse(string? address) =>
        !string.IsNullOrWhiteSpace(address) && MailboxAddress.TryParse(address.Trim(), out var mailbox) && mailbox.Address.Contains('@') ? mailbox : null;
}

/// <summary>A return-path token found in a bounce or report: <see cref="Valid"/> when we signed it.</summary>
/// <param name="DeliveryId">The digest it names; null for a confirmation's token.</param>
public sealed record ReturnPathToken(string Token, bool Valid, string? SubscriberId, string? DeliveryId)
{
    public static ReturnPathToken Forged(string token) => new(token, false, null, null);
}
