using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Mail2Sms.Tests;

/// <summary>
/// The dashboard in a real headless Chromium against <c>mail2sms serve --demo</c> run as a process: an operator
/// signs in, creates an account and its user, an email that user sends over SMTP shows up delivered, its simulated reply arrives, and what the sender wrote
/// shows as text. A screenshot of each page is saved under the test output folder, in <c>dashboard-screenshots</c>.
/// </summary>
public sealed partial class DashboardBrowserTests : IDisposable
{
    // Would change the title if it ran as markup: it must show as the text it is.
    private const string Payload = "<img src=x onerror=\"document.title='xss'\"><script>document.title='xss'</script>";
    private static readonly string[] Pages = ["sign-in", "accounts", "messages", "email", "replies", "overview", "account", "test-email", "rejected"];

    private readonly GatewayProcess _gateway = new();
    private readonly string _screenshots = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");
    private ChromeDriver? _browser;

    private ChromeDriver Browser => _browser ?? throw new InvalidOperationException("the browser has not started");

    public void Dispose()
    {
        _browser?.Dispose();
        _gateway.Dispose();
    }

    [Fact]
    public async Task An_operator_signs_in_and_follows_an_email_to_delivery_and_its_reply_with_the_subject_shown_as_text()
    {
        _gateway.Serve();
        var (site, password) = DemoSignIn();
        Directory.CreateDirectory(_screenshots);
        _browser = await Chromium.StartAsync(Path.Combine(_gateway.Folder, "chromium-profile"));

        Browser.Navigate().GoToUrl(site + "/dashboard/messages");
        Assert.StartsWith(site + "/dashboard/sign-in", Browser.Url, StringComparison.Ordinal);
        Browser.FindElement(By.Id("name")).SendKeys("demo");
        Browser.FindElement(By.Id("password")).SendKeys("not the password");
        Browser.FindElement(By.Id("sign-in")).Click();
        var alert = Until(() => Browser.FindElements(By.CssSelector("[role=alert]")).FirstOrDefault(), "the refusal of a wrong password");
        Assert.Equal("Wrong name or password.", alert.Text);
        Save("sign-in");
        Browser.FindElement(By.Id("name")).Clear();
        Browser.FindElement(By.Id("name")).SendKeys("demo");
        Browser.FindElement(By.Id("password")).SendKeys(password);
        Browser.FindElement(By.Id("sign-in")).Click();
        // A click on a submit button may return before the form's navigation starts: wait for where it leads.
        Until(() => Browser.Url == site + "/dashboard/messages" ? Browser.Url : null, "the signed-in operator taken to the messages page");

        // A new account and its user, made in the browser: the email below is sent as that user.
        Browser.Navigate().GoToUrl(site + "/dashboard/accounts");
        Browser.FindElement(By.Id("new-id")).SendKeys("CI00000042");
        Browser.FindElement(By.Id("new-country")).SendKeys("AU");
        Browser.FindElement(By.Id("new-credits")).Clear();
        Browser.FindElement(By.Id("new-credits")).SendKeys("100");
        Save("accounts");
        Browser.FindElement(By.Id("create-account")).Click();
        Until(() => Browser.FindElements(By.CssSelector("[role=status]")).FirstOrDefault(), "the new account's page");
        Assert.Equal("Account created.", Browser.FindElement(By.CssSelector("[role=status]")).Text);
        Browser.FindElement(By.Id("network")).SendKeys("127.0.0.1");
        Browser.FindElement(By.Id("add-network")).Click();
        Until(() => Browser.FindElements(By.CssSelector("#networks td")).FirstOrDefault(), "the allowed network");
        Browser.FindElement(By.Id("user-address")).SendKeys("alerts@example.org");
        Browser.FindElement(By.Id("add-user-button")).Click();
        var user = Until(() => Browser.FindElements(By.CssSelector("#users td.address")).FirstOrDefault(), "the new user");
        Assert.Equal("alerts@example.org", user.Text);
        Assert.Equal("127.0.0.1/32", Browser.FindElement(By.CssSelector("#networks td")).Text);

        var email = GatewayProcess.Email(1);
        email.From.Clear();
        email.From.Add(new MimeKit.MailboxAddress("Alerts", "alerts@example.org"));
        email.Subject = Payload;
        using (var smtp = await _gateway.ConnectAsync())
        {
            await smtp.SendAsync(email);
            await smtp.DisconnectAsync(quit: true);
        }

        var row = await ReloadUntilAsync(site + "/dashboard/messages?number=0412345678",
            () => Browser.FindElements(By.CssSelector("#messages tbody tr")).FirstOrDefault(r => r.FindElement(By.CssSelector(".status")).Text == "delivered"),
            "the email's SMS shown delivered on the messages page");
        Assert.Equal(Payload, row.FindElement(By.CssSelector(".subject")).Text);
        Assert.Equal($"{Payload} Server 23 is offline.", row.FindElement(By.CssSelector(".text")).Text);
        Assert.Equal("Messages · Mail2Sms", Browser.Title);
        Save("messages");

        var smsLink = row.FindElement(By.CssSelector("a")).GetAttribute("href")!;
        var reply = await ReloadUntilAsync(smsLink, () => Browser.FindElements(By.CssSelector("li.reply")).FirstOrDefault(), "the simulated reply on the email's page");
        Assert.EndsWith("reply from 61412345678 (emailed): OK, on my way.", reply.Text, StringComparison.Ordinal);
        var timeline = Browser.FindElements(By.CssSelector("ol.timeline li")).Select(li => TimeStamp().Replace(li.Text, string.Empty)).ToList();
        Assert.Equal("accepted, 1 part(s), Gsm7", timeline[0]);
        Assert.Matches(@"^submitted \(attempt 1\), SMSC IDs \S+$", timeline[1]);
        Assert.Matches(@"^receipt for part 1 \(\S+\): DELIVRD$", timeline[2]);
        Assert.Equal("delivered", timeline[3]);
        Assert.Equal(Payload, Browser.FindElement(By.Id("subject")).Text);
        Save("email");

        Browser.Navigate().GoToUrl(site + "/dashboard/replies");
        Assert.Contains(Browser.FindElements(By.CssSelector("#replies tbody tr")), r => r.Text.Contains("emailed", StringComparison.Ordinal) && r.Text.EndsWith("OK, on my way.", StringComparison.Ordinal));
        Save("replies");

        Browser.Navigate().GoToUrl(site + "/dashboard/");
        Assert.Equal("1 bound of 1 configured", Browser.FindElement(By.Id("binds")).Text);
        Assert.StartsWith("1 bound ", Browser.FindElement(By.CssSelector("#bind-states tbody tr")).Text, StringComparison.Ordinal);
        Assert.StartsWith("SMSC binds to the built-in simulator (127.0.0.1:", Browser.FindElement(By.XPath("//h2[starts-with(., 'SMSC binds')]")).Text, StringComparison.Ordinal);
        Assert.Contains(Browser.FindElements(By.CssSelector("#today tbody tr")), r => r.Text == "delivered 1");
        Save("overview");

        Browser.Navigate().GoToUrl(site + "/dashboard/accounts/CI00000042");
        Assert.Equal("99", Browser.FindElement(By.Id("credits")).Text);
        Save("account");

        // A test email from the browser, through the gateway's own SMTP listener: refused for a stranger, with the reason; accepted for the demo's sender.
        Browser.Navigate().GoToUrl(site + "/dashboard/test-email");
        Assert.Equal("you@example.com", Browser.FindElement(By.Id("test-from")).GetAttribute("value"));
        Browser.FindElement(By.Id("test-from")).Clear();
        Browser.FindElement(By.Id("test-from")).SendKeys("stranger@example.net");
        Browser.FindElement(By.Id("test-to")).SendKeys("0412 345 679");
        Browser.FindElement(By.Id("send-test")).Click();
        var refused = Until(() => Browser.FindElements(By.CssSelector("#smtp-reply[role=alert]")).FirstOrDefault(), "the refusal of a stranger's test email");
        var refusedText = refused.Text;
        Assert.StartsWith("550 ", refusedText, StringComparison.Ordinal);
        Browser.FindElement(By.Id("test-from")).Clear();
        Browser.FindElement(By.Id("test-from")).SendKeys("you@example.com");
        Browser.FindElement(By.Id("send-test")).Click();
        var accepted = Until(() => Browser.FindElements(By.CssSelector("#smtp-reply[role=status]")).FirstOrDefault(), "the acceptance of the demo's test email");
        Assert.StartsWith("250 ", accepted.Text, StringComparison.Ordinal);
        Save("test-email");
        Browser.FindElement(By.Id("follow")).Click();
        Until(() => Browser.FindElements(By.CssSelector("#messages tbody tr .text")).FirstOrDefault(r => r.Text == "System Alert Server 23 is offline."), "the test email's SMS on the messages page");
        Browser.Navigate().GoToUrl(site + "/dashboard/rejected");
        var rejected = Browser.FindElements(By.CssSelector("#rejected tbody tr")).Single(r => r.Text.Contains("stranger@example.net", StringComparison.Ordinal));
        Assert.Equal(refusedText, rejected.FindElement(By.CssSelector(".reply")).Text);
        Save("rejected");

        Browser.FindElement(By.Id("sign-out")).Click();
        Until(() => Browser.Url.StartsWith(site + "/dashboard/sign-in", StringComparison.Ordinal) ? Browser.Url : null, "the sign-in page after signing out");
        Browser.Navigate().GoToUrl(site + "/dashboard/");
        Assert.StartsWith(site + "/dashboard/sign-in", Browser.Url, StringComparison.Ordinal);
        Assert.All(Pages, page => Assert.True(new FileInfo(Path.Combine(_screenshots, page + ".png")).Length > 0));
    }

    // The dashboard's address and the demo operator's one-time password, as serve --demo printed them.
    private (string Site, string Password) DemoSignIn()
    {
        lock (_gateway.Output)
        {
            var line = _gateway.Output.FirstOrDefault(l => l.StartsWith("Dashboard: ", StringComparison.Ordinal));
            var match = DemoLine().Match(line ?? string.Empty);
            Assert.True(match.Success, "serve --demo did not print the dashboard's address and password:\n" + string.Join('\n', _gateway.Output));
            return (match.Groups[1].Value, match.Groups[2].Value);
        }
    }

    private async Task<IWebElement> ReloadUntilAsync(string url, Func<IWebElement?> find, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Browser.Navigate().GoToUrl(url);
            if (find() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}; the page shows:\n{Browser.FindElement(By.TagName("main")).Text}");
            await Task.Delay(200);
        }
    }

    // What find gives once it gives something, within 30 s; the page's text in the failure otherwise.
    private T Until<T>(Func<T?> find, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (find() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}; the browser is at {Browser.Url}, showing:\n{Browser.FindElement(By.TagName("body")).Text}");
            Thread.Sleep(100);
        }
    }

    private void Save(string page) => Browser.GetScreenshot().SaveAsFile(Path.Combine(_screenshots, page + ".png"));

    [GeneratedRegex(@"^Dashboard: (http://\S+)/dashboard/ \(operator demo, password ([^;]+);")]
    private static partial Regex DemoLine();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: ")]
    private static partial Regex TimeStamp();
}
