using Microsoft.Extensions.Options;

namespace Newsletter.Sources;

/// <summary>
/// Reads a successful answer's body inside the attempt, so the resilience pipeline's timeouts cover a body that
/// trickles (HttpClient hands over at the headers, and a read after that would be under no deadline) and a
/// connection dropped mid-body is retried like one dropped before the headers. Stops at Sources:MaxListingBytes of
/// decoded bytes: neither a chunked nor a compressed body says its real size up front.
/// </summary>
public sealed class ListingBodyHandler(IOptions<SourcesOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return response;
        }
        try
        {
            var limit = options.Value.MaxListingBytes;
            var source = request.RequestUri!.ToString();
            var declared = response.Content.Headers.ContentLength;
            if (declared > limit)
            {
                throw ListingBody.TooLarge(source, limit, declared);
            }
            ArraySegment<byte> body;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                body = await ListingBody.ReadAsync(stream, limit, source, declared, cancellationToken);
            }
            catch (IOException e) when (!cancellationToken.IsCancellationRequested)
            {
                // an HttpRequestException is what the retry strategy retries
                throw new HttpRequestException($"the connection broke while reading the body ({e.Message.TrimEnd('.')})", e);
            }
            var buffered = new ByteArrayContent(body.Array!, body.Offset, body.Count);
            foreach (var header in response.Content.Headers.Where(h => h.Key != "Content-Length"))
            {
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            response.Content.Dispose();
            response.Content = buffered;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
