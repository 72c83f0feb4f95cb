using System.CommandLine;
using System.Globalization;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms;

/// <summary><c>mail2sms messages</c>: the newest SMS in the store, as an operator checks the queue.</summary>
internal static class MessagesCommand
{
    public static Command Create(Settings settings)
    {
        var account = new Option<string?>("--account") { Description = "Only this account's SMS." };
        var status = new Option<string?>("--status") { Description = "Only SMS in this status (queued, submitted, delivered, failed, expired, unknown)." };
        var limit = new Option<int>("--limit") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };
        var command = new Command("messages", "List the newest SMS with their status.") { account, status, limit };
        command.SetAction((parse, token) => settings.RunAsync(parse, async (database, output) =>
        {
            if (parse.GetValue(limit) < 1)
            {
                throw new ArgumentException("--limit must be 1 or more.");
            }

            var store = new EmailStore(database, TimeProvider.System);
            foreach (var sms in await store.ListSmsAsync(parse.GetValue(account), parse.GetValue(status), parse.GetValue(limit), token).ConfigureAwait(false))
            {
                var text = sms.Text.Replace("\n", " / ", StringComparison.Ordinal);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{sms.Id,8} {sms.CreatedAt:yyyy-MM-dd HH:mm:ss} {sms.AccountId,-12} {sms.Number,-16} {sms.Status,-9} {sms.Parts,2}x{sms.Encoding,-4} {(text.Length > 60 ? text[..59] + "…" : text)}"));
            }
        }));
        return command;
    }
}
