using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Newsletter.Admin;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>/admin: sign in with an admin or viewer key, which opens a session (<see cref="ConsoleSessions"/>); sign out.</summary>
public static partial class SignInEndpoints
{
    public static IEndpointRouteBuilder MapConsoleSignIn(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").DisableAntiforgery(); // checked by hand, after the throttle (ConsoleGate.ValidateFormAsync)
        group.MapGet("/", Show);
        group.MapPost("/sign-in", SignInAsync);
        group.MapPost("/sign-out", SignOutAsync);
        return app;
    }

    private static IResult Show(string? next, HttpContext context, ConsoleSessions sessions) =>
        sessions.Read(context) is not null ? new SeeOtherHttpResult(Next(next)) : Form(context, next, null, StatusCodes.Status200OK);

    private static async Task<IResult> SignInAsync(
        [FromForm] SignInForm form, HttpContext context, ConsoleSessions sessions, ApiKeyFilter keys, SignInThrottle throttle, ILoggerFactory loggers)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var logger = loggers.CreateLogger(typeof(SignInEndpoints));
        if (throttle.Refuses(client))
        {
            LogThrottled(logger, client);
            context.Response.Headers.RetryAfter = "60";
            return Form(context, form.Next, "This address tried too many wrong keys in the last minute. Wait a minute and try again.", StatusCodes.Status429TooManyRequests);
        }
        await ConsoleGate.ValidateFormAsync(context);
        var caller = keys.CallerOf(form.Key?.Trim() ?? "");
        if (caller is null)
        {
            throttle.Failed(client);
            LogRefused(logger, client);
            return Form(context, form.Next, string.IsNullOrWhiteSpace(form.Key)
                ? "Enter an admin key."
                : "That key is not one of the configured admin keys (Admin:ApiKeys or Admin:ViewerKeys).", StatusCodes.Status401Unauthorized);
        }
        sessions.Issue(context, caller);
        LogSignedIn(logger, caller.Actor, caller.Role);
        return new SeeOtherHttpResult(Next(form.Next));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, ConsoleSessions sessions)
    {
        await ConsoleGate.ValidateFormAsync(context);
        sessions.End(context);
        return new SeeOtherHttpResult("/admin?signedOut=1");
    }

    /// <summary>Where to go after signing in: back to the console page that asked for it, never to another site.</summary>
    private static string Next(string? next) =>
        next is { Length: > 7 } && next.StartsWith("/admin/", StringComparison.Ordinal) && !next.Contains("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal)
            ? next : "/admin/dashboard";

    private static IResult Form(HttpContext context, string? next, string? error, int status)
    {
        var signedOut = context.Request.Query["signedOut"] == "1";
        return ConsolePage.Page(context, "Sign in", Html.Of($"""
            {Html.When(signedOut && error is null, Html.Of($"""<p class="notice" role="status">You are signed out.</p>"""))}
            {Html.When(error is not null, Html.Of($"""<div class="summary" role="alert" tabindex="-1" autofocus><p><a href="#key">{error}</a></p></div>"""))}
            <form method="post" action="/admin/sign-in" novalidate>
            {FormProtection.Field(context)}
            <input type="hidden" name="next" value="{next ?? ""}">
            <label for="key">Admin key</label>
            <p class="hint" id="key-hint">A key from Admin:ApiKeys, or from Admin:ViewerKeys to look without changing anything.</p>
            <input id="key" name="key" type="password" autocomplete="current-password" required aria-describedby="key-hint"{(error is not null ? new Markup(" aria-invalid=\"true\"") : Markup.Empty)}>
            <button type="submit">Sign in</button>
            </form>
            """), status);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin console refused a sign-in from {Client}: unknown key")]
    private static partial void LogRefused(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin console refused a sign-in from {Client}: too many wrong keys in the last minute")]
    private static partial void LogThrottled(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin console: {Actor} signed in ({Role})")]
    private static partial void LogSignedIn(ILogger logger, string actor, string role);
}

public sealed class SignInForm
{
    public string? Key { get; set; }
    public string? Next { get; set; }
}
