using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Newsletter.Web.Pages;

public static class FormProtection
{
    /// <summary>The hidden anti-forgery field every form carries (its cookie is set on the same response).</summary>
    public static Markup Field(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return Html.Of($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""");
    }
}
