using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Newsletter.Admin;

namespace Newsletter.Web.Pages;

/// <summary>
/// How the pages' form posts are read. ASP.NET's own reader refuses a whole form for one <c>%00</c>, and the
/// anti-forgery check, which reads the form first, then reports it as expired; this reader keeps such a value as
/// it is, so the field's own check can say what is wrong with it, on the form. The body is capped far above a form
/// with every field at its longest; a larger one is answered 413 (<see cref="ErrorPages"/>).
/// </summary>
public static class PageForms
{
    public const int MaxBodyBytes = 256 * 1024;

    public static IApplicationBuilder UsePageForms(this IApplicationBuilder app) => app.Use(ReadAsync);

    private static async Task ReadAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method)
            && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            && !request.Path.StartsWithSegments(AdminApi.Prefix))
        {
            if (request.ContentLength > MaxBodyBytes)
            {
                // Read it all first (up to Kestrel's own limit): a client still sending when the answer comes
                // would see the connection reset instead of the page.
                await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                throw new BadHttpRequestException($"The form has {request.ContentLength} bytes; at most {MaxBodyBytes} are read.", StatusCodes.Status413PayloadTooLarge);
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxBodyBytes; // a body sent without a length: Kestrel stops at the limit (413)
            }
            using var reader = new FormReader(request.Body);
            Dictionary<string, Microsoft.Extensions.Primitives.StringValues> fields;
            try
            {
                fields = await reader.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException e) // more fields, or a longer name or value, than the reader takes
            {
                throw new BadHttpRequestException(e.Message, StatusCodes.Status413PayloadTooLarge, e);
            }
            context.Features.Set<IFormFeature>(new FormFeature(new FormCollection(fields)));
        }
        await next(context);
    }
}
