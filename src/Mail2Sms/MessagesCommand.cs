using System.CommandLine;
using System.Globalization;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms;

/// <summary><c>mail2sms messages</c> and <c>mail2sms replies</c>: the newest SMS and replies in the store, as an operator checks them.</summary>
internal static class MessagesCommand
{
    public static Command Replies(Settings settings)
    {
        var status = new Option<string?>("--status") { Description = "Only replies in this status: emailed, ambiguous (emailed to the latest, flagged) unmatched (answers no SMS; emailed to nobody) or kept (answers an SMS sent through the REST API)." };
        var limit = Limit();
        var command = new Command("replies", "List the newest replies from mobiles and what became of each; assign one to the SMS it answers.") { status, limit, Assign(settings) };
        command.SetAction((parse, token) => settings.RunAsync(parse, async (IStorage storage, TextWriter output) =>
        {
            foreach (var reply in await storage.Replies.ListAsync(parse.GetValue(status), LimitOf(parse, limit), cancellationToken: token).ConfigureAwait(false))
            {
                var answers = (reply.SmsId is { } sms ? string.Create(CultureInfo.InvariantCulture, $"sms {sms} of {reply.AccountId}") : "no SMS")
                    + (reply.AssignedBy is { } by ? $" (assigned by {by})" : string.Empty);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{reply.Id,8} {reply.ReceivedAt:yyyy-MM-dd HH:mm:ss} {reply.Mobile,-16} to {reply.ToAddress,-16} {reply.Status,-9} {answers,-24} {OneLine(reply.Text)}"));
            }
        }));
        return command;
    }

    private static Command Assign(Settings settings)
    {
        var reply = new Argument<long>("REPLY-ID") { Description = "An unmatched or ambiguous reply, as replies lists it." };
        var sms = new Argument<long>("SMS-ID") { Description = "The SMS it answers: one sent to the reply's mobile (see messages)." };
        var command = new Command("assign", "Assign a reply to the SMS it answers: emailed to whoever sent that SMS, or kept for the account of one sent through the REST API.") { reply, sms };
        command.SetAction((parse, token) => settings.RunAsync(parse, async (IStorage storage, TextWriter output) =>
        {
            var assigned = await ServeCommand.RepliesFrom(settings.Configuration, storage.Replies)
                .AssignAsync(parse.GetValue(reply), parse.GetValue(sms), Environment.UserName, token).ConfigureAwait(false);
            var outcome = assigned.EmailedTo is { } to ? $"emailed to {to}." : "kept for the account, whose SMS came through the REST API.";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reply {assigned.ReplyId} assigned to SMS {assigned.SmsId} of {assigned.AccountId}: {outcome}"));
        }));
        return command;
    }

    private static Option<int> Limit() => new("--limit") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };

    private static int LimitOf(ParseResult parse, Option<int> limit) =>
        parse.GetValue(limit) is var value and >= 1 ? value : throw new ArgumentException("--limit must be 1 or more.");

    private static string OneLine(string text)
    {
        var line = text.Replace("\n", " / ", StringComparison.Ordinal);
        return line.Length > 60 ? line[..59] + "…" : line;
    }

    public static Command Create(Settings settings)
    {
        var account = new Option<string?>("--account") { Description = "Only this account's SMS." };
        var status = new Option<string?>("--status") { Description = "Only SMS in this status (queued, uncertain, submitted, delivered, failed, expired, unknown)." };
        var limit = Limit();
        var command = new Command("messages", "List the newest SMS with their status.") { account, status, limit };
        command.SetAction((parse, token) => settings.RunAsync(parse, async (storage, output) =>
        {
            foreach (var sms in await storage.Dashboard.ListSmsAsync(parse.GetValue(account), parse.GetValue(status), LimitOf(parse, limit), token).ConfigureAwait(false))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{sms.Id,8} {sms.CreatedAt:yyyy-MM-dd HH:mm:ss} {sms.AccountId,-12} {sms.Number,-16} {sms.Status,-9} {sms.Parts,2}x{sms.Encoding,-4} {OneLine(sms.Text)}"));
            }
        }));
        return command;
    }
}
