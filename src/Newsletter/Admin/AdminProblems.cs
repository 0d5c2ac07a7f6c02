using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>RFC 7807 answers that name the field at fault, as clients of the admin API need them.</summary>
public static class AdminProblems
{
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid", detail: $"{field}: {message}");

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: what);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    /// <summary>The field (JSON name, with the list index for a keyword) and message for a rejected subscription change.</summary>
    public static ValidationProblem Of(Exception e) => e switch
    {
        ProfileValidationException p when p.Index > 0 => Invalid($"{(p.Kind == "exclusion" ? "exclude" : "keywords")}[{p.Index - 1}]", p.Message),
        ProfileValidationException p => Invalid(p.Kind == "exclusion" ? "exclude" : "keywords", p.Message),
        SubscriptionException s => Invalid(s.Field is "" ? "email" : s.Field, s.Message),
        _ => throw e,
    };

    /// <summary>A refused admin action as problem details: 400 names the field, 404 and 409 say why.</summary>
    public static IResult Of(AdminError error) => error.Status switch
    {
        StatusCodes.Status404NotFound => NotFound(error.Message),
        StatusCodes.Status409Conflict => Conflict(error.Message),
        _ => Invalid(error.Field, error.Message),
    };

    public static bool TryDate(string? text, string field, out DateOnly? date, out ValidationProblem? problem)
    {
        date = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d))
        {
            date = d;
            return true;
        }
        problem = Invalid(field, $"'{text}' is not a date in the form YYYY-MM-DD");
        return false;
    }
}
