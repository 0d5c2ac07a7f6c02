using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Newsletter.Admin;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>
/// /admin/csv: download every subscriber as CSV (the API's export), and import a file: the upload is checked first
/// (the API's dry run, shown with each bad row's line), and the file is imported only by the next button, which
/// sends the same file's text again.
/// </summary>
public static class CsvPage
{
    public static RouteGroupBuilder MapConsoleCsv(this RouteGroupBuilder console)
    {
        console.MapGet("/csv", Show);
        console.MapGet("/subscribers/export", AdminCsvEndpoints.ExportAsync);
        console.MapPost("/csv", ImportAsync).DisableRequestTimeout();
        return console;
    }

    private static IResult Show(HttpContext context) => ConsolePage.Page(context, "CSV", Body(context, null, null));

    private static async Task<IResult> ImportAsync(HttpContext context, AdminActions actions, CancellationToken cancellationToken)
    {
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var confirmed = form["confirmed"] == "on";
        var apply = form["step"] == "import";
        string text;
        if (form.Files.GetFile("file") is { Length: > 0 } file)
        {
            using var reader = new StreamReader(file.OpenReadStream());
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        else
        {
            text = form["csv"].ToString();
        }
        if (text.Length == 0)
        {
            return ConsolePage.Page(context, "CSV", Body(context, "Choose a CSV file to import.", null), StatusCodes.Status400BadRequest);
        }
        using var csv = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var (answer, error) = await actions.ImportAsync(context, csv, dryRun: !apply, confirmed, cancellationToken);
        if (error is not null)
        {
            return ConsolePage.Page(context, "CSV", Body(context, $"The file cannot be imported: {error.Message}", null), StatusCodes.Status400BadRequest);
        }
        return ConsolePage.Page(context, apply ? "CSV imported" : "CSV import: check", Body(context, null, Report(context, answer!, text, confirmed)));
    }

    private static Markup Report(HttpContext context, ImportResponse answer, string text, bool confirmed) => Html.Of($"""
        <p role="status">{(answer.DryRun ? "Checked, nothing written: " : "Imported: ")}{answer.Added} {(answer.DryRun ? "to add" : "added")}, {answer.Updated} {(answer.DryRun ? "to update" : "updated")}, {answer.Unchanged} unchanged, {answer.Failed} {(answer.Failed == 1 ? "row" : "rows")} refused.</p>
        {(answer.Errors.Count == 0 ? Markup.Empty : ConsolePage.Table("Refused rows", Html.Of($"""<th scope="col">Line</th><th scope="col">Field</th><th scope="col">Why</th>"""),
            answer.Errors.Select(e => Html.Of($"""<tr><td>{e.Line}</td><td>{e.Field}</td><td>{e.Message}</td></tr>"""))))}
        {Html.When(answer.DryRun && answer.Added + answer.Updated > 0, Html.Of($"""
            <form method="post" action="/admin/csv" enctype="multipart/form-data">
            {FormProtection.Field(context)}
            <input type="hidden" name="step" value="import">
            <input type="hidden" name="csv" value="{text}">
            {Html.When(confirmed, Html.Of($"""<input type="hidden" name="confirmed" value="on">"""))}
            <button type="submit">Import {answer.Added + answer.Updated} {(answer.Added + answer.Updated == 1 ? "row" : "rows")}{(answer.Failed > 0 ? ", leave out the refused" : "")}</button>
            </form>
            """))}
        """);

    private static Markup Body(HttpContext context, string? error, Markup? report) => Html.Of($"""
        {Html.When(error is not null, Html.Of($"""<div class="summary" role="alert" tabindex="-1" autofocus><p><a href="#file">{error}</a></p></div>"""))}
        {report ?? Markup.Empty}
        <h2>Export</h2>
        <p><a href="/admin/subscribers/export" download>Download every subscriber as CSV</a> (the columns the import reads).</p>
        <h2>Import</h2>
        {(ConsolePage.MayChange(context) ? Html.Of($"""
            <form method="post" action="/admin/csv" enctype="multipart/form-data">
            {FormProtection.Field(context)}
            <input type="hidden" name="step" value="check">
            <label for="file">CSV file</label>
            <p class="hint" id="file-hint">Columns email and keywords required; each row is checked like the subscribe form. Nothing is written until you confirm.</p>
            <input id="file" name="file" type="file" accept=".csv,text/csv" aria-describedby="file-hint">
            <label><input type="checkbox" name="confirmed"> Make new subscribers active without the opt-in email (they agreed elsewhere)</label>
            <button type="submit">Check the file</button>
            </form>
            """) : Html.Of($"""<p>A viewer key cannot import.</p>"""))}
        """);
}
