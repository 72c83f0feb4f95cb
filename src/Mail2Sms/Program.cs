using System.CommandLine;
using System.Text;
using Mail2Sms;

// Before any email is parsed: MimeKit decodes headers lazily, in whatever code pages are registered then.
Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

var root = new RootCommand("Mail2Sms: an email-to-SMS gateway. Customers send SMS by sending email.")
{
    ExplainCommand.Create(),
};
return root.Parse(args).Invoke();
