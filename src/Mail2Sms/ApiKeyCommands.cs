using System.CommandLine;
using System.Globalization;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms;

/// <summary><c>mail2sms apikey ...</c>: the keys an account's programs use with the REST API.</summary>
internal static class ApiKeyCommands
{
    public static Command Create(Settings settings)
    {
        var id = () => new Argument<string>("ACCOUNT") { Description = "The account ID, such as CI00123456." };

        var addId = id();
        var name = new Option<string?>("--name") { Description = "What the key is for, such as the program that uses it." };
        var add = new Command("add", "Make a key and print it: it is shown only this once (only its hash is kept).") { addId, name };
        add.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            var (key, record) = await store.AddKeyAsync(parse.GetRequiredValue(addId), parse.GetValue(name), token).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API key {record.Id} of account {record.AccountId} (it is not shown again):"));
            output.WriteLine(key);
        }));

        var listId = id();
        var list = new Command("list", "List an account's keys (never the keys themselves).") { listId };
        list.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            foreach (var key in await store.KeysAsync(parse.GetRequiredValue(listId), token).ConfigureAwait(false))
            {
                var state = key.RevokedAt is { } revoked ? string.Create(CultureInfo.InvariantCulture, $"revoked {revoked:yyyy-MM-dd HH:mm}Z") : "active";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key.Id,6}  {key.CreatedAt:yyyy-MM-dd HH:mm}Z  {state,-25} {key.Name}").TrimEnd());
            }
        }));

        var revokeId = id();
        var keyId = new Argument<long>("ID") { Description = "The key's ID, as apikey list shows it." };
        var revoke = new Command("revoke", "Revoke a key: requests with it are refused from now on.") { revokeId, keyId };
        revoke.SetAction((parse, token) => Run(settings, parse, async (store, output) =>
        {
            await store.RevokeKeyAsync(parse.GetRequiredValue(revokeId), parse.GetValue(keyId), token).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API key {parse.GetValue(keyId)} of account {parse.GetRequiredValue(revokeId)} is revoked."));
        }));

        return new Command("apikey", "Manage the REST API keys of accounts.") { add, list, revoke };
    }

    private static Task<int> Run(Settings settings, ParseResult parse, Func<IApiKeys, TextWriter, Task> action) =>
        settings.RunAsync(parse, (IStorage storage, TextWriter output) => action(storage.ApiKeys, output));
}
