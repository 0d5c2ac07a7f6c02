using Microsoft.AspNetCore.Http;

namespace Newsletter.Web.Pages;

/// <summary>
/// 303 See Other: the answer to a form post that worked, so the browser shows the result with a GET and a reload
/// does not send the form again. <see cref="TypedResults.Redirect"/> gives 302, which leaves the method of the next
/// request to the client, or 307/308, which post again; only 303 means "now GET this".
/// </summary>
public sealed class SeeOtherHttpResult(string location) : IResult, IStatusCodeHttpResult
{
    public string Location { get; } = location;

    public int StatusCode => StatusCodes.Status303SeeOther;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
