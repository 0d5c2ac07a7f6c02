using System.Net;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Newsletter.Sources;

/// <summary>Reads a listing from a file path or an http(s) URL; HTTP retries and timeouts come from the client's pipeline.</summary>
public sealed class ListingFetcher(IHttpClientFactory httpClients, IOptions<SourcesOptions> options)
{
    public const string HttpClientName = "listings";

    public async Task<FetchedListing> FetchAsync(string from, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(from, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return new FetchedListing(from, await DownloadAsync(url, cancellationToken), url);
        }
        if (Uri.TryCreate(from, UriKind.Absolute, out var other) && !other.IsFile && other.Scheme.Length > 1)
        {
            throw new ListingException($"cannot read {from}: only http(s) URLs and file paths are supported.");
        }
        return new FetchedListing(from, await ReadFileAsync(from, cancellationToken), null);
    }

    private async Task<string> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ListingException(Directory.Exists(path)
                ? $"{path} is a folder; give the path of one listing file."
                : $"listing file not found: {path}");
        }
        if (file.Length > options.Value.MaxListingBytes)
        {
            throw new ListingException($"{path} is {file.Length:N0} bytes, over the limit Sources:MaxListingBytes = {options.Value.MaxListingBytes:N0}.");
        }
        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    private async Task<string> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TimeoutRejectedException e)
        {
            throw new ListingException($"could not fetch {url}: timed out ({e.Message.TrimEnd('.')}).", e);
        }
        catch (HttpRequestException e)
        {
            throw new ListingException($"could not fetch {url}: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var hint = response.StatusCode switch
                {
                    HttpStatusCode.NotFound => " (no listing at that address)",
                    HttpStatusCode.TooManyRequests => " (rate limited; retries exhausted)",
                    _ => "",
                };
                throw new ListingException($"could not fetch {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{hint}.");
            }
            if (response.Content.Headers.ContentLength > options.Value.MaxListingBytes)
            {
                throw new ListingException($"{url} is {response.Content.Headers.ContentLength:N0} bytes, over the limit Sources:MaxListingBytes = {options.Value.MaxListingBytes:N0}.");
            }
            try
            {
                return await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException)
            {
                throw new ListingException($"could not fetch {url}: the connection broke while reading the body ({e.Message}).", e);
            }
        }
    }
}

public sealed record FetchedListing(string Source, string Content, Uri? Url);
