// Every contract test class, once per storage provider: a provider passes when both namespaces are green.

namespace Mail2Sms.Gateway.Tests.Storage.Contracts.OnSqlite
{
    public sealed class AccountDirectory() : AccountDirectoryContractTests("sqlite");

    public sealed class ApiKeys() : ApiKeysContractTests("sqlite");

    public sealed class DashboardQueries() : DashboardQueriesContractTests("sqlite");

    public sealed class EmailCommitter() : EmailCommitterContractTests("sqlite");

    public sealed class Lockouts() : LockoutsContractTests("sqlite");

    public sealed class Migration() : MigrationContractTests("sqlite");

    public sealed class NodeRegistry() : NodeRegistryContractTests("sqlite");

    public sealed class Operators() : OperatorsContractTests("sqlite");

    public sealed class Outbox() : OutboxContractTests("sqlite");

    public sealed class ProtectionKeys() : ProtectionKeysContractTests("sqlite");

    public sealed class ReplyStore() : ReplyStoreContractTests("sqlite");

    public sealed class ReplyParts() : ReplyPartsContractTests("sqlite");

    public sealed class SmsQueueing() : SmsQueueContractTests("sqlite");

    public sealed class UncertainSms() : UncertainSmsContractTests("sqlite");

    public sealed class Wakeups() : WakeupsContractTests("sqlite");
}

namespace Mail2Sms.Gateway.Tests.Storage.Contracts.OnPostgres
{
    public sealed class AccountDirectory() : AccountDirectoryContractTests("postgres");

    public sealed class ApiKeys() : ApiKeysContractTests("postgres");

    public sealed class DashboardQueries() : DashboardQueriesContractTests("postgres");

    public sealed class EmailCommitter() : EmailCommitterContractTests("postgres");

    public sealed class Lockouts() : LockoutsContractTests("postgres");

    public sealed class Migration() : MigrationContractTests("postgres");

    public sealed class NodeRegistry() : NodeRegistryContractTests("postgres");

    public sealed class Operators() : OperatorsContractTests("postgres");

    public sealed class Outbox() : OutboxContractTests("postgres");

    public sealed class ProtectionKeys() : ProtectionKeysContractTests("postgres");

    public sealed class ReplyStore() : ReplyStoreContractTests("postgres");

    public sealed class ReplyParts() : ReplyPartsContractTests("postgres");

    public sealed class SmsQueueing() : SmsQueueContractTests("postgres");

    public sealed class UncertainSms() : UncertainSmsContractTests("postgres");

    public sealed class Wakeups() : WakeupsContractTests("postgres");
}
