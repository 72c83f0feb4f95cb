using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class OperatorsContractTests(string provider)
{
    [Fact]
    public async Task An_operator_signs_in_with_their_password_and_any_case_of_their_name()
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        await store.Storage.Operators.AddAsync(" Ops ", "correct horse");

        Assert.True(await store.Storage.Operators.ExistsAsync("ops"));
        Assert.True(await store.Storage.Operators.VerifyAsync("OPS", "correct horse"));
        Assert.False(await store.Storage.Operators.VerifyAsync("ops", "wrong"));
        Assert.False(await store.Storage.Operators.VerifyAsync("eve", "correct horse"));
        Assert.False(await store.Storage.Operators.ExistsAsync("eve"));
    }

    [Fact]
    public async Task A_second_operator_of_a_name_is_refused_unless_replacing_the_password()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Operators.AddAsync("ops", "first");

        var refused = await Assert.ThrowsAsync<StoreException>(() => store.Storage.Operators.AddAsync("OPS", "second"));
        Assert.Equal("There is already an operator OPS.", refused.Message);
        Assert.True(await store.Storage.Operators.VerifyAsync("ops", "first"));

        await store.Storage.Operators.AddAsync("ops", "second", replace: true);
        Assert.True(await store.Storage.Operators.VerifyAsync("ops", "second"));
        Assert.False(await store.Storage.Operators.VerifyAsync("ops", "first"));
    }

    [Theory]
    [InlineData("", "secret", "An operator's name is 1 to 64 characters, none of them control characters.")]
    [InlineData("ops", "", "Operator ops needs a password.")]
    public async Task A_bad_name_or_missing_password_is_refused_with_its_sentence(string name, string password, string sentence)
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        Assert.Equal(sentence, (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Operators.AddAsync(name, password))).Message);
        Assert.False(await store.Storage.Operators.ExistsAsync(name));
    }
}
