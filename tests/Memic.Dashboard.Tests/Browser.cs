using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Memic.Dashboard.Tests;

/// <summary>
/// Debian's headless Chromium driven by its chromedriver (scripts/test.sh installs both). Every wait is on a condition
/// in the page, never a fixed sleep.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);
    private readonly string _profile = Directory.CreateTempSubdirectory("memic-chromium-").FullName;
    private readonly Uri _baseAddress;

    public Browser(Uri baseAddress)
    {
        _baseAddress = baseAddress;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        // Headless as root on a machine with no network but loopback: no sandbox, no GPU, and none of the background
        // traffic (updates, sync, safe browsing) whose refused connections would only slow the browser down.
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", $"--user-data-dir={_profile}",
            // A laptop screen.
            "--window-size=1366,900");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public ChromeDriver Driver { get; }

    /// <summary>Whether this machine has the browser the tests drive.</summary>
    public static bool IsInstalled => File.Exists(ChromiumPath) && File.Exists(ChromeDriverPath);

    public void Open(string path) => Driver.Navigate().GoToUrl(new Uri(_baseAddress, path));

    /// <summary>Waits until the element with this <c>data-testid</c> is displayed, and returns it.</summary>
    public IWebElement Find(string testId, TimeSpan? timeout = null) =>
        Until(d => d.FindElements(ByTestId(testId)).FirstOrDefault(e => e.Displayed), $"[data-testid='{testId}'] to be displayed", timeout);

    public bool Exists(string testId) => Driver.FindElements(ByTestId(testId)).Count > 0;

    public static By ByTestId(string testId) => By.CssSelector($"[data-testid='{testId}']");

    /// <summary>Waits until <paramref name="condition"/> returns a non-null, non-false value; elements going stale meanwhile are retried.</summary>
    public T Until<T>(Func<IWebDriver, T?> condition, string what, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(Driver, timeout ?? DefaultWait) { Message = $"Waited for {what}" };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        return wait.Until(condition)!;
    }

    public void Type(string testId, string text)
    {
        var input = Find(testId);
        input.Clear();
        input.SendKeys(text);
    }

    public void Click(string testId) => Find(testId).Click();

    /// <summary>Signs in through the form, as a person would, starting from a browser with no session.</summary>
    public void SignIn(string email, string password)
    {
        Driver.Manage().Cookies.DeleteAllCookies();
        Open("/");
        Type("login-email", email);
        Type("login-password", password);
        Click("login-submit");
    }

    /// <summary>Saves what the page shows to TestResults/dashboard/<paramref name="name"/>.png.</summary>
    public void Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotDirectory, name + ".png"));
    }

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "TestResults", "dashboard");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Memic.Functions.sln")))
            {
                return directory.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        Directory.Delete(_profile, recursive: true);
    }
}
