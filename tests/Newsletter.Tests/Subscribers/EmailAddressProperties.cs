using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Subscribers;

/// <summary>
/// An address is the subscriber's identity (unique in the store, looked up on every form post): whatever is typed,
/// normalising must answer, the same address must always come out the same, and what comes out must be something
/// a mail server can be given.
/// </summary>
public sealed class EmailAddressProperties
{
    private static readonly string[] AddressParts =
    [
        "ada", "Ada", "ADA", "a", "x", "0", "9", ".", ".", "..", "-", "-", "_", "+", "@", "@", "\"", "\\", "[", "]", "(", ")",
        "<", ">", ",", ";", ":", " ", "\t", "!", "#", "$", "%", "&", "'", "*", "/", "=", "?", "^", "`", "{", "|", "}", "~",
        "example", "org", ".com", ".de", ".org", "localhost", "xn--", "xn--mller-kva", "xn--zz", "XN--MLLER-KVA", "müller",
        "MÜLLER", "bücher", "straße", "\u0130", "\u0131", "\u017F", "\u212A", "\uFF3B", "\uFF3D", "\uFF20", "\uFF0E",
        "\u3002", "\uFF41", "\uFF11", "\u00AD", "\u200B", "\u200D", "\u202E", "\u0301", "1.2.3.4", "[1.2.3.4]",
        "[IPv6:::1]", "\uFF3B1.2.3.4\uFF3D", "127.0.0.1", "\U0001F600", "\u4E2D\u6587", "\u0627\u0644",
    ];

    private static Gen<string> Part => Gen.Frequency((6, Gen.Elements(AddressParts)), (1, HostileText.Text(maxFragments: 3, veryLong: false)));

    private static Gen<string> Run(int most) => Gen.Choose(0, most).SelectMany(n => Part.ArrayOf(n)).Select(string.Concat);

    /// <summary>Mostly address-shaped (something @ something.tld), sometimes anything at all.</summary>
    private static Arbitrary<string> Input => HostileText.Arbitrary(Gen.Frequency(
        (6, from local in Run(4) from domain in Run(5) from tld in Gen.Elements("", ".org", ".de", ".") select local + "@" + domain + tld),
        (1, Run(12)),
        (1, HostileText.Text())));

    [Property(MaxTest = 2_000)]
    public Property Any_input_gives_an_address_or_a_reason() => Prop.ForAll(Input, input =>
    {
        var address = EmailAddress.Normalize(input, out var problem);

        if (address is null)
        {
            Assert.False(string.IsNullOrWhiteSpace(problem), $"no reason given for {HostileText.Show(input)}");
        }
        else
        {
            Assert.Equal("", problem);
        }
    });

    [Property(MaxTest = 2_000)]
    public Property A_normalised_address_normalises_to_itself() => Prop.ForAll(Input, input =>
    {
        var address = EmailAddress.Normalize(input, out _);
        if (address is null)
        {
            return;
        }

        var again = EmailAddress.Normalize(address, out var problem);

        Assert.True(address == again, $"{HostileText.Show(input)} → {HostileText.Show(address)} → {HostileText.Show(again)} ({problem})");
    });

    [Property(MaxTest = 2_000)]
    public Property A_normalised_address_is_one_plain_mailbox_at_an_ascii_domain_name() => Prop.ForAll(Input, input =>
    {
        var address = EmailAddress.Normalize(input, out _);
        if (address is null)
        {
            return;
        }
        var shown = $"{HostileText.Show(input)} → {HostileText.Show(address)}";

        Assert.True(address.Length <= EmailAddress.MaxLength, shown);
        Assert.False(address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)), shown);
        Assert.True(address.Count(c => c == '@') == 1, shown);
        var at = address.IndexOf('@');
        var domain = address[(at + 1)..];
        Assert.True(at > 0, shown);
        Assert.False(domain.StartsWith('['), shown);
        Assert.Contains('.', domain);
        // the ASCII form of a domain name (IDNA): letters, digits and hyphens in dot-separated labels, lower case
        Assert.True(domain.Split('.').All(label => label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-')
            && label.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')), shown);
    });
}
