using System.Net;

namespace Newsletter.Sources;

/// <summary>
/// Follows redirects for listing fetches. The socket handler's own following passes a <c>file://</c> (or any other)
/// location on to its connection pool, which fails with a UriFormatException that names nothing; here such a hop is
/// refused with the address it pointed to.
/// </summary>
public sealed class ListingRedirectHandler : DelegatingHandler
{
    public const int MaxRedirects = 10;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var origin = request.RequestUri!;
        for (var hops = 0; ; hops++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return response;
            }
            response.Dispose();
            var current = request.RequestUri!;
            var target = location.IsAbsoluteUri ? location : new Uri(current, location);
            if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
            {
                throw new ListingException($"{origin} redirected to {target}, which is not http(s).") { SourceUnreachable = true };
            }
            if (current.Scheme == Uri.UriSchemeHttps && target.Scheme == Uri.UriSchemeHttp)
            {
                throw new ListingException($"{origin} redirected to {target}, which would give up HTTPS.") { SourceUnreachable = true };
            }
            if (hops == MaxRedirects)
            {
                throw new ListingException($"{origin} redirected more than {MaxRedirects} times (the last time to {target}).") { SourceUnreachable = true };
            }
            request.RequestUri = target;
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is
        HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
