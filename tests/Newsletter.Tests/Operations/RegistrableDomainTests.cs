using Newsletter.Operations;

namespace Newsletter.Tests.Operations;

public sealed class RegistrableDomainTests
{
    [Theory]
    [InlineData("papers.example.org", "example.org")]
    [InlineData("Example.ORG.", "example.org")]
    [InlineData("a.b.papers.example.co.uk", "example.co.uk")]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("news.müller.de", "xn--mller-kva.de")]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("intranet", "intranet")]
    public void The_registrable_domain_is_the_name_below_the_public_suffix(string host, string expected) =>
        Assert.Equal(expected, RegistrableDomain.Of(host));
}
