using Newsletter.Subscribers;

namespace Newsletter.Tests.Subscribers;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("Ada@Example.ORG", "ada@example.org")]
    [InlineData("  ada.lovelace+papers@example.org ", "ada.lovelace+papers@example.org")]
    [InlineData("ada@bücher.example", "ada@xn--bcher-kva.example")]
    public void Valid_addresses_are_normalised(string input, string expected)
    {
        Assert.Equal(expected, EmailAddress.Normalize(input, out var problem));
        Assert.Equal("", problem);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ada", "not a valid email address")]
    [InlineData("ada@", "not a valid email address")]
    [InlineData("@example.org", "not a valid email address")]
    [InlineData("ada@localhost", "no valid domain")]
    [InlineData("Ada <ada@example.org>", "not a single plain email address")]
    [InlineData("ada@example.org, bob@example.org", "not a single plain email address")]
    [InlineData("ada lovelace@example.org", "not a single plain email address")]
    [InlineData("ada@-example.org", "domain")]
    public void Invalid_addresses_say_why(string input, string reason)
    {
        Assert.Null(EmailAddress.Normalize(input, out var problem));
        Assert.Contains(reason, problem);
    }

    [Theory]
    [InlineData("ada@exa*mple.org")]
    [InlineData("ada@under_score.org")]
    [InlineData("ada@\uFF20example.org")]     // a full-width @ that IDNA maps to a second '@'
    [InlineData("ada@\uFF3B1.2.3.4\uFF3D")]    // full-width brackets that IDNA maps to an IP literal
    public void A_domain_that_is_not_letters_digits_and_hyphens_is_refused(string input)
    {
        Assert.Null(EmailAddress.Normalize(input, out var problem));
        Assert.NotEqual("", problem);
    }

    [Fact]
    public void An_address_longer_than_the_smtp_limit_is_refused()
    {
        Assert.Null(EmailAddress.Normalize(new string('a', 250) + "@example.org", out var problem));
        Assert.Contains("longer than 254", problem);
    }
}
