using System.CommandLine;
using Mail2Sms;

var root = new RootCommand("Mail2Sms: an email-to-SMS gateway. Customers send SMS by sending email.")
{
    ExplainCommand.Create(),
};
return root.Parse(args).Invoke();
