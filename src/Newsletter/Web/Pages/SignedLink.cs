using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>
/// Turns the token of an emailed link into its subscriber, or into a page that says plainly what is wrong with the
/// link. A tampered token and a token of an erased subscriber get the same answer, so tokens cannot be probed.
/// </summary>
public sealed class SignedLink(LinkSigner signer, SubscriberStore subscribers, IOptions<SiteOptions> site)
{
    public async Task<(Subscriber? Subscriber, ContentHttpResult? Problem)> OpenAsync(string? token, LinkPurpose purpose, CancellationToken cancellationToken)
    {
        var id = LinkSigner.SubscriberIdOf(token);
        var subscriber = id is null ? null : await subscribers.GetAsync(id, cancellationToken);
        var check = subscriber is null ? LinkCheck.BadSignature : signer.Check(token, subscriber.Secret, purpose);
        return check switch
        {
            LinkCheck.Valid => (subscriber, null),
            LinkCheck.Expired => (null, PageLayout.Problem(site.Value.Name, "This link has expired",
                purpose == LinkPurpose.Confirm
                    ? "Confirmation links are valid for a limited time. Subscribe again with the same address and we will send you a new one."
                    : "Links in a digest are valid for a limited time. Use the link in your most recent digest instead.",
                StatusCodes.Status410Gone, SubscribeAgain())),
            _ => (null, PageLayout.Problem(site.Value.Name, "This link is not valid",
                "The link may have been cut short or changed when it was copied. Open it again from the email, or copy the whole address.",
                StatusCodes.Status400BadRequest, SubscribeAgain())),
        };
    }

    private static Markup SubscribeAgain() => Html.Of($"""<p><a href="/subscribe">Go to the subscribe page</a></p>""");
}
