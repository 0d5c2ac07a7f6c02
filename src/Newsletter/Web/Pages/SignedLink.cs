using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>
/// The check every page reached from an emailed link starts with: the token's subscriber gets the page, any other
/// token a page that says plainly what is wrong with the link. A tampered token and a token of an erased
/// subscriber get the same answer, so tokens cannot be probed.
/// </summary>
public sealed class SignedLink(LinkSigner signer, SubscriberStore subscribers, IOptions<SiteOptions> site)
{
    public Task<IResult> AnswerAsync(string? token, LinkPurpose purpose, Func<Subscriber, IResult> page, CancellationToken cancellationToken) =>
        AnswerAsync(token, purpose, subscriber => Task.FromResult(page(subscriber)), cancellationToken);

    /// <param name="problemAnswer">What a link that fails the check gets instead of its problem page (default: the page).</param>
    public Task<IResult> AnswerAsync(
        string? token, LinkPurpose purpose, Func<Subscriber, Task<IResult>> page, CancellationToken cancellationToken, Func<ContentHttpResult, IResult>? problemAnswer = null) =>
        AnswerAsync(token, purpose, (subscriber, _) => page(subscriber), cancellationToken, problemAnswer);

    /// <param name="page">Gets the subscriber and what the link names (a link to one digest), null for a link that names nothing.</param>
    public async Task<IResult> AnswerAsync(
        string? token, LinkPurpose purpose, Func<Subscriber, string?, Task<IResult>> page, CancellationToken cancellationToken, Func<ContentHttpResult, IResult>? problemAnswer = null)
    {
        var id = LinkSigner.SubscriberIdOf(token);
        var subscriber = id is null ? null : await subscribers.GetAsync(id, cancellationToken);
        string? subject = null;
        var check = subscriber is null ? LinkCheck.BadSignature : signer.Check(token, subscriber.Secret, purpose, out subject);
        if (subscriber is not null && check == LinkCheck.Valid)
        {
            return await page(subscriber, subject);
        }
        var problem = Problem(check, purpose);
        return problemAnswer is null ? problem : problemAnswer(problem);
    }

    private ContentHttpResult Problem(LinkCheck check, LinkPurpose purpose) => check == LinkCheck.Expired
        ? PageLayout.Problem(site.Value.Name, "This link has expired",
            purpose == LinkPurpose.Confirm
                ? "Confirmation links are valid for a limited time. Subscribe again with the same address and we will send you a new one."
                : "Links in a digest are valid for a limited time. Use the link in your most recent digest instead.",
            StatusCodes.Status410Gone, SubscribeAgain())
        : PageLayout.Problem(site.Value.Name, "This link is not valid",
            "The link may have been cut short or changed when it was copied. Open it again from the email, or copy the whole address.",
            StatusCodes.Status400BadRequest, SubscribeAgain());

    private static Markup SubscribeAgain() => Html.Of($"""<p><a href="/subscribe">Go to the subscribe page</a></p>""");
}
