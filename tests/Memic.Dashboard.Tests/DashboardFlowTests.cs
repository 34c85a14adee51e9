using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Memic.Core.Keys;
using Memic.TestDocuments;
using OpenQA.Selenium;

namespace Memic.Dashboard.Tests;

/// <summary>
/// The acceptance flows of issue 12 in real headless Chromium against the local server: what a person does on the
/// dashboard, checked on the page and, where the page's effect is on the API, through the API.
/// </summary>
public sealed class DashboardFlowTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string ManualName = "boiler-manual.pdf";
    private const string Query = "How often is the boiler serviced?";
    private static readonly TimeSpan IngestionTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan KeyRevocationTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Browser Browser => fixture.Browser;

    private DashboardServer Server => fixture.Server;

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public void The_dashboard_is_served_at_the_root_from_its_own_bundle_and_asks_to_sign_in()
    {
        Browser.Driver.Manage().Cookies.DeleteAllCookies();
        Browser.Open("/");

        Browser.Find("login-email");
        Assert.Equal("Memic", Browser.Driver.Title);
        var scripts = Browser.Driver.FindElements(By.CssSelector("script[src]")).Select(s => new Uri(s.GetAttribute("src")!));
        Assert.All(scripts, src => Assert.Equal(Server.BaseAddress.Authority, src.Authority));
        Browser.Screenshot("sign-in");
    }

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public void The_first_owner_is_refused_with_a_wrong_password_and_signed_in_with_the_right_one()
    {
        Browser.SignIn(DashboardFixture.OwnerEmail, "not the password");

        var refusal = Browser.Until(d => d.FindElements(By.CssSelector("[role='alert']")).FirstOrDefault(e => e.Displayed), "the refusal");
        Assert.Contains("Wrong email or password", refusal.Text, StringComparison.Ordinal);
        Assert.False(Browser.Exists("env-create-submit"));
        Browser.Screenshot("sign-in-refused");

        // The right password, with the keyboard only: the email field has focus, Tab moves on, Enter submits.
        Browser.Driver.Manage().Cookies.DeleteAllCookies();
        Browser.Open("/");
        Browser.Until(d => d.SwitchTo().ActiveElement().GetAttribute("data-testid") == "login-email", "the email field to have focus");
        Browser.Driver.SwitchTo().ActiveElement().SendKeys(DashboardFixture.OwnerEmail + Keys.Tab);
        Assert.Equal("login-password", Browser.Driver.SwitchTo().ActiveElement().GetAttribute("data-testid"));
        Browser.Driver.SwitchTo().ActiveElement().SendKeys(Server.OwnerPassword + Keys.Enter);

        Browser.Find("env-create-submit");
        Browser.Find("env-row-production");
        Assert.Contains(DashboardFixture.OwnerEmail, Browser.Driver.FindElement(By.CssSelector(".topbar")).Text, StringComparison.Ordinal);
        Browser.Screenshot("environments");
    }

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public async Task An_environment_created_on_the_page_has_a_working_key_until_it_is_revoked_a_lifetime_that_can_be_renewed_and_is_gone_once_deleted()
    {
        await fixture.EnsureUsersAsync();
        const string slug = "feature-login";
        Browser.SignIn(DashboardFixture.AdminEmail, DashboardFixture.Password);

        Browser.Type("env-create-slug", slug);
        Browser.Type("env-create-ttl", "72");
        Browser.Click("env-create-submit");
        var firstKey = Browser.Find("key-plaintext").Text;
        var row = Browser.Find($"env-row-{slug}");
        Browser.Until(_ => row.Text.Contains("ready", StringComparison.Ordinal), $"{slug} to be ready");
        Assert.DoesNotContain("never", row.Text, StringComparison.Ordinal);
        Browser.Screenshot("environment-created");

        using (var data = Server.DataClient(firstKey))
        {
            var me = await data.GetFromJsonAsync<JsonElement>("/api/v1/me", Ct);
            Assert.Equal(slug, me.GetProperty("environment_slug").GetString());
        }

        var environmentId = await EnvironmentIdAsync(slug);
        Browser.Open($"/#/environments/{environmentId}/keys");
        Browser.Click("env-never-expire");
        Browser.Until(_ => Browser.Find("env-expires").Text == "never expires", "the lifetime to be cleared");
        Browser.Type("env-renew-hours", "24");
        Browser.Click("env-renew");
        Browser.Until(_ => Browser.Find("env-expires").Text.StartsWith("expires ", StringComparison.Ordinal), "the lifetime to be renewed");
        using (var reader = Server.AdminClient())
        {
            var renewed = await reader.GetFromJsonAsync<JsonElement>($"/api/admin/v1/environments/{environmentId}", Ct);
            var expiresAt = renewed.GetProperty("expires_at").GetDateTimeOffset();
            Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        }

        var firstPrefix = ApiKeyFormat.DisplayPrefix(firstKey);
        Browser.Find($"key-revoke-{firstPrefix}");
        Browser.Click("key-create");
        var secondKey = Browser.Find("key-plaintext").Text;
        Assert.NotEqual(firstKey, secondKey);
        Browser.Find($"key-revoke-{ApiKeyFormat.DisplayPrefix(secondKey)}");
        Browser.Screenshot("keys");

        Browser.Click($"key-revoke-{firstPrefix}");
        Browser.Click("confirm-accept");
        Browser.Until(d => d.FindElements(Browser.ByTestId($"key-revoke-{firstPrefix}")).Count == 0, "the revoked key to leave the list");
        await Eventually.HoldsAsync(() => AnswersMeAsync(firstKey, HttpStatusCode.Unauthorized), KeyRevocationTimeout, "the revoked key to be refused");
        Assert.True(await AnswersMeAsync(secondKey, HttpStatusCode.OK), "the other key stops working with the revoked one");

        Browser.Open("/#/");
        Browser.Click($"env-delete-{slug}");
        Browser.Screenshot("environment-delete-confirmation");
        Browser.Click("confirm-accept");
        Browser.Until(d => d.FindElements(Browser.ByTestId($"env-row-{slug}")).Count == 0, $"{slug} to leave the list", IngestionTimeout);
        using var admin = Server.AdminClient();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).StatusCode);
        await Eventually.HoldsAsync(() => AnswersMeAsync(secondKey, HttpStatusCode.Unauthorized), KeyRevocationTimeout, "the deleted environment's key to be refused");
    }

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public async Task A_pdf_dropped_on_the_files_page_becomes_ready_and_search_finds_its_file_and_page_and_usage_counts_it()
    {
        await fixture.EnsureUsersAsync();
        var (environmentId, _, _) = await Server.CreateEnvironmentAsync("manuals", Ct);
        var pdf = Path.Combine(Directory.CreateTempSubdirectory("memic-upload-").FullName, ManualName);
        await File.WriteAllBytesAsync(pdf, BoilerManual(), Ct);
        Browser.SignIn(DashboardFixture.AdminEmail, DashboardFixture.Password);
        Browser.Find("env-row-manuals");

        Browser.Open($"/#/environments/{environmentId}/files");
        Browser.Find("file-upload-input").SendKeys(pdf);
        var status = Browser.Find($"file-status-{ManualName}");
        Browser.Until(_ => status.Text == "ready" || status.Text.EndsWith("_failed", StringComparison.Ordinal), $"{ManualName} to finish", IngestionTimeout);
        Assert.Equal("ready", status.Text);
        Browser.Screenshot("files");

        Browser.Open($"/#/environments/{environmentId}/search");
        Browser.Type("search-input", Query);
        Browser.Click("search-submit");
        var best = Browser.Find("search-result");
        Assert.Equal(ManualName, best.FindElement(Browser.ByTestId("search-result-file")).Text);
        Assert.Equal("page 2", best.FindElement(Browser.ByTestId("search-result-page")).Text);
        Assert.True(double.Parse(best.FindElement(Browser.ByTestId("search-result-score")).Text, CultureInfo.InvariantCulture) >= 0.7);
        Browser.Screenshot("search");

        Browser.Open($"/#/environments/{environmentId}/usage");
        var chart = Browser.Find("usage-chart");
        Assert.Equal(4, chart.FindElements(By.CssSelector("figure")).Count);
        Assert.All(chart.FindElements(By.CssSelector("svg")), svg => Assert.Equal(30, svg.FindElements(By.CssSelector("rect")).Count));
        var searches = chart.FindElement(By.CssSelector("figure[data-series='Searches'] svg")).GetAttribute("aria-label");
        Assert.Matches(@"^Searches per day: [1-9]\d* in the last 30 days$", searches);
        Browser.Screenshot("usage");
    }

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public async Task A_file_dropped_on_the_page_that_cannot_be_read_shows_its_failure_and_its_reason()
    {
        await fixture.EnsureUsersAsync();
        var (environmentId, _, _) = await Server.CreateEnvironmentAsync("drops", Ct);
        Browser.SignIn(DashboardFixture.AdminEmail, DashboardFixture.Password);
        Browser.Find("env-row-drops");
        Browser.Open($"/#/environments/{environmentId}/files");

        // What a drag from the desktop delivers: a drop event whose DataTransfer carries the file.
        Browser.Driver.ExecuteScript(
            """
            const [zone, name, text] = arguments;
            const files = new DataTransfer();
            files.items.add(new File([text], name, { type: 'application/pdf' }));
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
            """,
            Browser.Find("file-dropzone"), "broken.pdf", "%PDF-1.4 these bytes are not a PDF");

        var status = Browser.Find("file-status-broken.pdf");
        Browser.Until(_ => status.Text.EndsWith("_failed", StringComparison.Ordinal), "broken.pdf to fail", IngestionTimeout);
        var reason = Browser.Find("file-row-broken.pdf").FindElement(By.CssSelector(".error"));
        Assert.False(string.IsNullOrWhiteSpace(reason.Text));
        Browser.Screenshot("files-failed");
    }

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public async Task Prompt_versions_are_saved_on_the_page_and_any_of_them_can_be_made_live()
    {
        await fixture.EnsureUsersAsync();
        Browser.SignIn(DashboardFixture.AdminEmail, DashboardFixture.Password);
        var production = Browser.Find("env-row-production").FindElement(By.TagName("a"));
        production.Click();
        Browser.Until(d => d.FindElements(By.LinkText("Prompts")).FirstOrDefault(), "the Prompts tab").Click();

        Browser.Type("prompt-name", "greeting");
        Browser.Type("prompt-body", "Hello {{name}}, welcome to {{ product }}.");
        Browser.Click("prompt-create");
        Browser.Find("prompt-greeting");
        Browser.Type("prompt-body", "Hi {{name}}.");
        Browser.Click("prompt-create");
        var prompt = Browser.Find("prompt-greeting");
        Browser.Until(_ => prompt.Text.Contains("live: v2", StringComparison.Ordinal), "v2 to be live");

        Browser.Click("prompt-live-greeting-1");

        Browser.Until(_ => Browser.Find("prompt-greeting").Text.Contains("live: v1", StringComparison.Ordinal), "v1 to be live");
        Assert.Contains("name, product", Browser.Find("prompt-greeting").Text, StringComparison.Ordinal);
        Browser.Screenshot("prompts");
    }

    [Fact(Skip = DashboardFixture.SkipReason, SkipUnless = nameof(DashboardFixture.CanRun), SkipType = typeof(DashboardFixture))]
    public async Task A_member_can_search_but_neither_the_page_nor_the_api_lets_them_create_keys_or_environments()
    {
        await fixture.EnsureUsersAsync();
        var (environmentId, _, apiKey) = await Server.CreateEnvironmentAsync("shared", Ct);
        await UploadAndWaitAsync(apiKey, BoilerManual());

        Browser.SignIn(DashboardFixture.MemberEmail, DashboardFixture.Password);
        Browser.Find("env-row-shared");
        Assert.False(Browser.Exists("env-create-submit"));
        Assert.False(Browser.Exists("env-delete-shared"));
        Browser.Screenshot("member-environments");

        Browser.Open($"/#/environments/{environmentId}/keys");
        Browser.Until(d => d.FindElements(By.CssSelector("[data-testid^='key-row-']")).Count > 0, "the key list");
        Assert.False(Browser.Exists("key-create"));
        Assert.Empty(Browser.Driver.FindElements(By.CssSelector("[data-testid^='key-revoke-']")));

        Browser.Open($"/#/environments/{environmentId}/search");
        Browser.Type("search-input", Query);
        Browser.Click("search-submit");
        Assert.Equal(ManualName, Browser.Find("search-result").FindElement(Browser.ByTestId("search-result-file")).Text);
        Browser.Screenshot("member-search");

        using var member = await SessionClient.SignInAsync(Server.BaseAddress, DashboardFixture.MemberEmail, DashboardFixture.Password, Ct);
        var createEnvironment = await member.PostAsync("/api/admin/v1/environments", new { slug = "member-made" }, Ct);
        var createKey = await member.PostAsync($"/api/admin/v1/environments/{environmentId}/keys", new { name = "member" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, createEnvironment.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, createKey.StatusCode);
    }

    /// <summary>Two pages; the answer to <see cref="Query"/> is on the second.</summary>
    private static byte[] BoilerManual() => PdfFixtures.TextPdf(
    [
        new TestPage("Installation", ["Mount the unit on a load-bearing wall.", "Keep thirty centimetres clear on every side."]),
        new TestPage("Maintenance", ["The boiler is serviced once a year, every October, by a certified engineer.", "Bleed the radiators before winter."]),
    ]);

    private async Task<bool> AnswersMeAsync(string apiKey, HttpStatusCode expected)
    {
        using var data = Server.DataClient(apiKey);
        return (await data.GetAsync("/api/v1/me", Ct)).StatusCode == expected;
    }

    private async Task<Guid> EnvironmentIdAsync(string slug)
    {
        using var admin = Server.AdminClient();
        var environments = await admin.GetFromJsonAsync<JsonElement>("/api/admin/v1/environments", Ct);
        return environments.EnumerateArray().Single(e => e.GetProperty("slug").GetString() == slug).GetProperty("id").GetGuid();
    }

    private async Task UploadAndWaitAsync(string apiKey, byte[] pdf)
    {
        using var data = Server.DataClient(apiKey);
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(pdf);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(content, "file", ManualName);
        var uploaded = await (await data.PostAsync("/api/v1/files", form, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var fileId = uploaded.GetProperty("id").GetGuid();
        await Eventually.HoldsAsync(async () =>
        {
            var file = await data.GetFromJsonAsync<JsonElement>($"/api/v1/files/{fileId}/status", Ct);
            var status = file.GetProperty("status").GetString()!;
            Assert.False(status.EndsWith("_failed", StringComparison.Ordinal), $"{ManualName} failed: {file.GetProperty("error_message")}");
            return status == "ready";
        }, IngestionTimeout, $"{ManualName} to be ready");
    }
}
