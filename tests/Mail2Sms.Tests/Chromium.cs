using Mail2Sms.Tests.Shared;
using OpenQA.Selenium.Chrome;

namespace Mail2Sms.Tests;

/// <summary>Debian's headless Chromium driven through its own chromedriver (no download: Selenium is given both paths); installed on first use.</summary>
internal static class Chromium
{
    private const string Browser = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    private static readonly Lazy<Task> Installed = new(() =>
        DebianPackages.EnsureInstalledAsync(() => Task.FromResult(File.Exists(Browser) && File.Exists(Driver)), "chromium", "chromium-driver"));

    /// <summary>A new headless browser with its own profile in <paramref name="profile"/>; dispose it to close it.</summary>
    public static async Task<ChromeDriver> StartAsync(string profile)
    {
        await Installed.Value;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // As root, in a container: no sandbox; nothing fetched from the network but the pages under test.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000", $"--user-data-dir={profile}");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
