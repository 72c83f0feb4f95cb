using System.CommandLine;
using System.Text;
using Mail2Sms;

// Before any email is parsed: MimeKit decodes headers lazily, in whatever code pages are registered then.
Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

var settings = Settings.From(args, out var verbArgs);
var root = new RootCommand("Mail2Sms: an email-to-SMS gateway. Customers send SMS by sending email.")
{
    ExplainCommand.Create(),
    AccountCommands.Account(settings),
    AccountCommands.User(settings),
    MessagesCommand.Create(settings),
    ServeCommand.Create(settings),
};
return await root.Parse(verbArgs).InvokeAsync().ConfigureAwait(false);
