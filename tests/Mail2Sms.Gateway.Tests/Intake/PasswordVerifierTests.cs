using Mail2Sms.Core.Accounts;
using Mail2Sms.Gateway.Intake;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Intake;

public sealed class PasswordVerifierTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_right_password_pays_the_slow_hash_once_while_remembered_and_a_wrong_one_every_time()
    {
        var verifier = new PasswordVerifier(_clock, TimeSpan.FromMinutes(10));
        var hash = PasswordHasher.Hash("s3cret", iterations: 1000);
        Assert.True(verifier.Verify("s3cret", hash));
        Assert.True(verifier.Verify("s3cret", hash));
        Assert.Equal(1, verifier.SlowVerifications);

        Assert.False(verifier.Verify("guess", hash));
        Assert.False(verifier.Verify("guess", hash));
        Assert.Equal(3, verifier.SlowVerifications);

        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.True(verifier.Verify("s3cret", hash));
        Assert.Equal(4, verifier.SlowVerifications);
    }

    [Fact]
    public void A_changed_password_is_never_answered_from_memory()
    {
        var verifier = new PasswordVerifier(_clock);
        var old = PasswordHasher.Hash("old", iterations: 1000);
        Assert.True(verifier.Verify("old", old));
        Assert.False(verifier.Verify("old", PasswordHasher.Hash("new", iterations: 1000)));
    }
}
