using System.CommandLine;
using System.Globalization;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms;

/// <summary><c>mail2sms account ...</c> and <c>mail2sms user ...</c>: the operator's accounts, users, networks and credits.</summary>
internal static class AccountCommands
{
    public static Command Account(Settings settings)
    {
        var id = () => new Argument<string>("ID") { Description = "The account ID, such as CI00123456." };

        var addId = id();
        var country = new Option<string?>("--country") { Description = "The account's country (ISO 3166, such as AU): national numbers are read in it." };
        var credits = new Option<long>("--credits") { Description = "Opening credits: one SMS part costs one." };
        var sender = new Option<string?>("--sender") { Description = "The sender (source address) of the account's SMS." };
        var relaxed = new Option<bool>("--relaxed-numbers") { Description = "Accept any 8 to 15 digits rather than mobile numbers only." };
        var warningDescription = "Email the account's users once when its credits fall below N (0: never).";
        var warning = new Option<long>("--low-credit-warning") { Description = warningDescription };
        var add = new Command("add", "Create an account.") { addId, country, credits, sender, relaxed, warning };
        add.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            // A bad ID is a wrong argument (exit 2), said before the store is asked.
            var newId = parse.GetRequiredValue(addId);
            if (Core.Intake.SenderNames.AccountIdProblem(newId) is { } badId)
            {
                throw new ArgumentException(badId);
            }

            var countryCode = parse.GetValue(country) is { } c ? new Core.Numbers.PhoneNumberRules(c).Country : null;
            var account = await store.AddAccountAsync(newId, countryCode, parse.GetValue(sender),
                parse.GetValue(relaxed), parse.GetValue(credits), parse.GetValue(warning), token).ConfigureAwait(false);
            output.WriteLine($"Account {account.Id} created with {account.Credits} credits.");
        }));

        var allowId = id();
        var network = new Argument<string>("IP-or-CIDR") { Description = "An address (203.0.113.5) or range (203.0.113.0/24, 2001:db8::/32)." };
        var allowIp = new Command("allow-ip", "Let mail from an address or range authenticate as the account.") { allowId, network };
        allowIp.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var canonical = await store.AllowIpAsync(parse.GetRequiredValue(allowId), parse.GetRequiredValue(network), token).ConfigureAwait(false);
            output.WriteLine($"Account {parse.GetRequiredValue(allowId)} accepts mail from {canonical}.");
        }));

        var disallowId = id();
        var disallowed = new Argument<string>("IP-or-CIDR") { Description = "An address or range allowed before." };
        var disallowIp = new Command("disallow-ip", "Stop mail from an address or range authenticating as the account.") { disallowId, disallowed };
        disallowIp.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var (account, network) = (parse.GetRequiredValue(disallowId), parse.GetRequiredValue(disallowed));
            var removed = await store.DisallowIpAsync(account, network, token).ConfigureAwait(false);
            output.WriteLine($"Account {account} no longer accepts mail from {removed}.");
        }));

        var creditId = id();
        var amount = new Argument<long>("N") { Description = "Credits to add; negative to take some back (never below zero)." };
        var reason = new Option<string>("--reason") { Description = "Why, for the ledger.", DefaultValueFactory = _ => "operator" };
        var credit = new Command("credit", "Add credits to an account, or take some back.") { creditId, amount, reason };
        credit.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var balance = await store.CreditAsync(parse.GetRequiredValue(creditId), parse.GetValue(amount), parse.GetRequiredValue(reason), token).ConfigureAwait(false);
            output.WriteLine($"Account {parse.GetRequiredValue(creditId)} now has {balance} credits.");
        }));

        var setId = id();
        var setCountry = new Option<string?>("--country") { Description = "The account's country (ISO 3166, such as AU); \"\" for none (international numbers only)." };
        var setWarning = new Option<long?>("--low-credit-warning") { Description = warningDescription };
        var setSender = new Option<string?>("--sender") { Description = "The sender (source address) of the account's SMS; \"\" for the gateway's." };
        var setRelaxed = new Option<bool?>("--relaxed-numbers") { Description = "true: accept any 8 to 15 digits; false: mobile numbers only." };
        var setMaxParts = new Option<int?>("--max-parts") { Description = "The most parts one SMS may take, 1 to 255 (default 12)." };
        var setReplyWindow = new Option<int?>("--reply-window-days") { Description = "Days a reply is matched to the account's SMS, 1 to 365; 0 for the gateway's Replies:WindowDays." };
        var setCap = new Option<int?>("--sms-per-minute") { Description = "Start at most N of the account's SMS a minute (0: no cap)." };
        var set = new Command("set", "Change an account's settings: each option given is set, the others stay.")
        {
            setId, setCountry, setSender, setRelaxed, setMaxParts, setReplyWindow, setWarning, setCap,
        };
        set.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var changes = new AccountChanges
            {
                Country = parse.GetValue(setCountry) is { Length: > 0 } c ? new Core.Numbers.PhoneNumberRules(c).Country : parse.GetValue(setCountry),
                Sender = parse.GetValue(setSender),
                RelaxedNumbers = parse.GetValue(setRelaxed),
                MaxParts = parse.GetValue(setMaxParts),
                ReplyWindowDays = parse.GetValue(setReplyWindow),
                LowCreditWarning = parse.GetValue(setWarning),
                SmsPerMinute = parse.GetValue(setCap),
            };
            var account = await store.SetAccountAsync(parse.GetRequiredValue(setId), changes, token).ConfigureAwait(false);
            output.WriteLine($"Account {account.Id}: country {account.Country ?? "none"}; sender {account.Sender ?? "the gateway's"}; {account.NumbersRule}; "
                + $"reply window {account.ReplyWindow}; low-credit warning {account.LowCreditWarningLevel}; {account.SmsPerMinuteCap}.");
        }));

        var showId = id();
        var show = new Command("show", "Show an account: settings, networks, users and recent credit changes.") { showId };
        show.SetAction((parse, token) => Run(settings, parse, (store, output) => ShowAsync(store, output, parse.GetRequiredValue(showId), token)));

        var list = new Command("list", "List the accounts.");
        list.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            foreach (var account in await store.ListAccountsAsync(token).ConfigureAwait(false))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{account.Id,-16} {account.Country ?? "--",-3} {account.Credits,12} credits"));
            }
        }));

        return new Command("account", "Manage accounts.") { add, allowIp, disallowIp, credit, set, show, list };
    }

    public static Command User(Settings settings)
    {
        var accountId = new Argument<string>("ID") { Description = "The account ID." };
        var address = new Argument<string>("EMAIL-or-*@DOMAIN") { Description = "The user's address, or *@domain for hosts that send from many addresses (IP authentication only)." };
        var password = new Option<string?>("--password") { Description = "The password for [SENDER] blocks and SMTP AUTH; asked for when absent and input is a terminal." };
        var receipts = new Option<bool>("--receipt-emails") { Description = "Email the user a receipt for the SMS of its emails that are delivered (one per email, once all its SMS are final)." };
        var add = new Command("add", "Add a user to an account.") { accountId, address, password, receipts };
        add.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var user = parse.GetRequiredValue(address);
            if (Core.Intake.SenderNames.UserAddressProblem(user.Trim()) is { } badAddress)
            {
                throw new ArgumentException(badAddress);
            }

            var secret = parse.GetValue(password);
            if (secret is null && !user.TrimStart().StartsWith("*@", StringComparison.Ordinal) && !Console.IsInputRedirected)
            {
                secret = Prompt.Password(output, $"Password for {user} (empty for IP authentication only): ");
            }

            var added = await store.AddUserAsync(parse.GetRequiredValue(accountId), user, string.IsNullOrEmpty(secret) ? null : secret,
                parse.GetValue(receipts), token).ConfigureAwait(false);
            output.WriteLine($"User {added.Address} added to account {added.AccountId} ({(added.HasPassword ? "with a password" : "IP authentication only")}{(added.ReceiptEmails ? ", receipt emails" : string.Empty)}).");
        }));

        var setAccountId = new Argument<string>("ID") { Description = "The account ID." };
        var setAddress = new Argument<string>("EMAIL-or-*@DOMAIN") { Description = "The user's address or pattern." };
        var setReceipts = new Option<bool?>("--receipt-emails") { Description = "true or false: whether the user gets receipt emails." };
        var setDisabled = new Option<bool?>("--disabled") { Description = "true stops the user from sending (from its next email on); false lets it send again." };
        var setPassword = new Option<string?>("--password") { Description = "A new password for [SENDER] blocks and SMTP AUTH; \"\" removes it (IP authentication only)." };
        var set = new Command("set", "Change a user: receipt emails, disabled, password.") { setAccountId, setAddress, setReceipts, setDisabled, setPassword };
        set.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var user = await store.SetUserAsync(parse.GetRequiredValue(setAccountId), parse.GetRequiredValue(setAddress),
                parse.GetValue(setReceipts), parse.GetValue(setDisabled), parse.GetValue(setPassword), token).ConfigureAwait(false);
            output.WriteLine($"User {user.Address} of account {user.AccountId}: {(user.Disabled ? "disabled" : "may send")}; {(user.HasPassword ? "a password" : "IP authentication only")}; "
                + $"{(user.ReceiptEmails ? "receipt emails" : "no receipt emails")}.");
        }));
        return new Command("user", "Manage the users of accounts.") { add, set };
    }

    private static async Task ShowAsync(IAccountDirectory store, TextWriter output, string id, CancellationToken token)
    {
        var account = await store.FindAccountAsync(id, token).ConfigureAwait(false) ?? throw new StoreException($"There is no account {id}.");
        output.WriteLine($"account:    {account.Id}");
        output.WriteLine($"country:    {account.Country ?? "(none: international numbers only)"}");
        output.WriteLine($"sender:     {account.Sender ?? "(the gateway's)"}");
        output.WriteLine($"numbers:    {account.NumbersRule}");
        output.WriteLine($"replies:    matched within {account.ReplyWindow}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"credits:    {account.Credits}"));
        output.WriteLine($"low credit: warning {account.LowCreditWarningLevel}");
        output.WriteLine($"rate:       {account.SmsPerMinuteCap}");
        output.WriteLine("networks:");
        foreach (var network in await store.AllowedNetworksAsync(id, token).ConfigureAwait(false))
        {
            output.WriteLine($"  {network}");
        }

        output.WriteLine("users:");
        foreach (var user in await store.UsersAsync(id, token).ConfigureAwait(false))
        {
            output.WriteLine($"  {user.Address} ({(user.HasPassword ? "password" : "IP only")}{(user.ReceiptEmails ? ", receipt emails" : string.Empty)}{(user.Disabled ? ", disabled" : string.Empty)})");
        }

        output.WriteLine("credit changes, newest first:");
        foreach (var entry in await store.LedgerAsync(id, cancellationToken: token).ConfigureAwait(false))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {entry.At:yyyy-MM-dd HH:mm:ss}Z {entry.Delta,+8:+0;-0;0} = {entry.Balance,8}  {entry.Reason}"));
        }
    }

    private static Task<int> Run(Settings settings, ParseResult parse, Func<IAccountDirectory, TextWriter, Task> action) =>
        settings.RunAsync(parse, (IStorage storage, TextWriter output) => action(storage.Accounts, output));
}
