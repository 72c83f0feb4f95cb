using System.CommandLine;
using System.Text;
using Mail2Sms;

// Before any email is parsed: MimeKit decodes headers lazily, in whatever code pages are registered then.
Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

// Socket completions run on the socket's own thread rather than hopping to the thread pool for every
// command: a third less CPU per email (bench/ingest.sh). Whatever may take long (parsing and deciding
// an email, a password hash) moves itself to the thread pool. DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0
// in the environment turns this off. Set before any socket exists: .NET reads it once.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineCompletions, "1");
}

var settings = Settings.From(args, out var verbArgs);
var root = new RootCommand("Mail2Sms: an email-to-SMS gateway. Customers send SMS by sending email.")
{
    ExplainCommand.Create(),
    AccountCommands.Account(settings),
    AccountCommands.User(settings),
    DbCommands.Create(),
    ApiKeyCommands.Create(settings),
    MessagesCommand.Create(settings),
    MessagesCommand.Replies(settings),
    OperatorCommands.Create(settings),
    ServeCommand.Create(settings),
    SmscSimCommand.Create(),
    Settings.DataDirectory,
};
// On SIGTERM serve stops taking mail, lets the submits under way finish (Delivery's drain, 5 s) and
// unbinds from the SMSC: System.CommandLine's default of 2 s would cut that short with exit code 143.
return await root.Parse(verbArgs).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
