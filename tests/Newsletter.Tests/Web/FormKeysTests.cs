using System.Net;
using System.Text.RegularExpressions;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Web;

/// <summary>The data-protection keys behind the forms' anti-forgery tokens: in the database, encrypted, one ring for every node.</summary>
public abstract partial class FormKeysTests(Backend backend)
{
    [Fact]
    public async Task Form_keys_are_kept_in_the_database_encrypted_and_shared_by_every_node()
    {
        await using var first = await WebTestHost.StartAsync(null, backend, "--Site:SubscribeRequestsPerMinute=0");
        await using var second = await first.StartBesideAsync();
        var cookies = new CookieContainer(); // cookies are not kept apart by port: one browser, two nodes behind a balancer
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });

        var form = await browser.GetStringAsync(first.BaseUrl + "/subscribe");
        var token = AntiforgeryField().Match(form);
        using var post = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value), ["email"] = "ada@example.org", ["keywords"] = "diffusion",
        });
        var answer = await browser.PostAsync(second.BaseUrl + "/subscribe", post);

        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        Assert.Contains("Check your inbox", await answer.Content.ReadAsStringAsync());
        Assert.Equal(1L, first.Query("SELECT count(*) FROM data_protection_keys"));
        var stored = (string)first.Query("SELECT xml FROM data_protection_keys")!;
        Assert.Contains("Newsletter.Web.KeyRingDecryptor", stored);
        Assert.Contains("<encryptedKey", stored);
        Assert.DoesNotContain("masterKey", stored); // ASP.NET's plain key element is inside the ciphertext
    }

    [Fact]
    public async Task After_the_signing_key_changes_forms_work_again_under_a_new_form_key()
    {
        await using (var before = await WebTestHost.StartAsync(null, backend))
        {
            Assert.Equal(HttpStatusCode.OK, (await before.Client.GetAsync("/subscribe")).StatusCode);
            await using var after = await before.StartBesideAsync("--Site:SigningKey=another-signing-key-0123456789abcdef-rotated");
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(after.BaseUrl) };

            var form = AntiforgeryField().Match(await browser.GetStringAsync("/subscribe"));
            using var post = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [form.Groups[1].Value] = WebUtility.HtmlDecode(form.Groups[2].Value), ["email"] = "ada@example.org", ["keywords"] = "diffusion",
            });
            var answer = await browser.PostAsync("/subscribe", post);

            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
            Assert.Equal(2L, after.Query("SELECT count(*) FROM data_protection_keys")); // the old key cannot be read under the new signing key
        }
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryField();
}

[Collection(nameof(WebCollection))]
public sealed class FormKeysTestsOnSqlite() : FormKeysTests(Backend.Sqlite);

[Collection(nameof(WebCollection))]
public sealed class FormKeysTestsOnPostgres() : FormKeysTests(Backend.Postgres);
