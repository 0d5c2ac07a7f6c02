using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Newsletter.Sources;

/// <summary>
/// Reads a listing from a file path or an http(s) URL, never more than Sources:MaxListingBytes and never for longer
/// than Sources:TotalTimeoutSeconds. HTTP retries and timeouts come from the client's pipeline, which also reads the
/// body (<see cref="ListingBodyHandler"/>).
/// </summary>
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
        var limit = options.Value.MaxListingBytes;
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw Directory.Exists(path)
                ? new ListingException($"{path} is a folder; give the path of one listing file.")
                : new ListingException($"listing file not found: {path}") { SourceUnreachable = true };
        }
        if (file.Length > limit)
        {
            throw ListingBody.TooLarge(path, limit, file.Length);
        }
        // A pipe, a device or a file still being written has no length to check first (and a pipe's open waits
        // for a writer), so the limit and the deadline apply while reading.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.Value.TotalTimeoutSeconds));
        try
        {
            await using var stream = await OpenAsync(path, deadline.Token);
            var bytes = await ListingBody.ReadAsync(stream, limit, path, null, deadline.Token);
            using var reader = new StreamReader(new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ListingException($"could not read {path}: it did not end within Sources:TotalTimeoutSeconds = {options.Value.TotalTimeoutSeconds} s.") { SourceUnreachable = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListingException($"could not read {path}: {e.Message}", e) { SourceUnreachable = true };
        }
    }

    /// <summary>Opens the file on a pool thread: opening a pipe blocks until a writer opens it, and no token reaches open().</summary>
    private static async Task<FileStream> OpenAsync(string path, CancellationToken deadline)
    {
        var opening = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous), deadline);
        try
        {
            return await opening.WaitAsync(deadline);
        }
        catch (OperationCanceledException)
        {
            _ = opening.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    private async Task<string> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var hint = response.StatusCode switch
                {
                    HttpStatusCode.NotFound => " (no listing at that address)",
                    HttpStatusCode.TooManyRequests => " (rate limited; retries exhausted)",
                    _ => "",
                };
                throw new ListingException($"could not fetch {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{hint}.") { SourceUnreachable = true };
            }
            return await response.Content.ReadAsStringAsync(cancellationToken); // already read, within the limits, by ListingBodyHandler
        }
        catch (TimeoutRejectedException e)
        {
            var o = options.Value;
            var why = e.Timeout == TimeSpan.FromSeconds(o.TotalTimeoutSeconds)
                ? $"no complete answer within Sources:TotalTimeoutSeconds = {o.TotalTimeoutSeconds} s"
                : $"no complete answer within Sources:RequestTimeoutSeconds = {o.RequestTimeoutSeconds} s on attempt {o.MaxRetries + 1} of {o.MaxRetries + 1}";
            throw new ListingException($"could not fetch {url}: timed out ({why}).", e) { SourceUnreachable = true };
        }
        catch (HttpRequestException e)
        {
            throw new ListingException($"could not fetch {url}: {e.Message}", e) { SourceUnreachable = true };
        }
    }
}

public sealed record FetchedListing(string Source, string Content, Uri? Url);
