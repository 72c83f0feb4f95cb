using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Web.Tests;

/// <summary>How a test's web side ends: Kestrel stopped, its client and stores closed, its folder (and SQLite file) deleted.</summary>
internal static class WebTeardown
{
    public static async Task StopAsync(WebApplication? web, HttpClient client, AccountStore accounts, string folder)
    {
        if (web is not null)
        {
            await web.StopAsync();
            await web.DisposeAsync();
        }

        client.Dispose();
        accounts.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
