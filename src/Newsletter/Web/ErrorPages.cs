using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Web.Pages;

namespace Newsletter.Web;

/// <summary>
/// What a request that fails gets: RFC 7807 problem details under /admin/api (naming the cause, e.g. the JSON path
/// of a bad field), a plain page everywhere else. Never a stack trace; unexpected errors are logged with their id.
/// </summary>
public static partial class ErrorPages
{
    public static IApplicationBuilder UseNewsletterErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleAsync, SuppressDiagnosticsCallback = _ => true });

    private static async Task HandleAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var admin = context.Request.Path.StartsWithSegments(AdminApi.Prefix);
        var (status, title, detail) = error switch
        {
            _ when TooLarge(error) && admin => (StatusCodes.Status413PayloadTooLarge, "The request body is too large", error!.Message),
            _ when TooLarge(error) => (StatusCodes.Status413PayloadTooLarge, "The form is too large",
                $"A form can hold at most {PageForms.MaxBodyBytes / 1024} KB, far more than the longest profile. Go back, shorten what you typed and send it again."),
            BadHttpRequestException { InnerException: AntiforgeryValidationException } =>
                (StatusCodes.Status400BadRequest, "This form has expired", "The page was open too long or cookies are blocked. Go back, reload the page and send the form again."),
            BadHttpRequestException { InnerException: JsonException json } =>
                (StatusCodes.Status400BadRequest, "The request body is not valid JSON for this endpoint", json.Message),
            BadHttpRequestException bad => (bad.StatusCode, "The request is not valid", bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong on our side", $"The error is logged as {context.TraceIdentifier}; please try again later."),
        };
        if (status >= 500)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ErrorPages));
            LogUnexpected(logger, error, context.Request.Method, context.Request.Path, context.TraceIdentifier);
        }
        if (admin)
        {
            await TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
            return;
        }
        var site = context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value;
        var next = context.Request.Path.StartsWithSegments("/admin")
            ? Html.Of($"""<p><a href="/admin">Go to the admin console</a></p>""")
            : Html.Of($"""<p><a href="/subscribe">Go to the subscribe page</a></p>""");
        await PageLayout.Problem(site.Name, title, detail, status, next).ExecuteAsync(context);
    }

    /// <summary>
    /// A body over the size limit (Kestrel's, or the page form reader's), also when the anti-forgery check met it
    /// first while reading a form: that is not an expired form.
    /// </summary>
    private static bool TooLarge(Exception? error) => error switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        BadHttpRequestException { InnerException: AntiforgeryValidationException { InnerException: var read } } => TooLarge(read),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error in {Method} {Path} (request {RequestId})")]
    private static partial void LogUnexpected(ILogger logger, Exception? error, string method, string path, string requestId);
}
