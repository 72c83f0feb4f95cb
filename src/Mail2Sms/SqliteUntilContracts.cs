using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms;

// TEMPORARY (issue 12): the one place src/Mail2Sms reaches through IStorage to the SQLite database, for the verbs and
// stores not yet moved onto IStorage's contracts (accounts-replies, intake-web). The lead deletes this file when merging.
internal static class SqliteUntilContracts
{
    public static SqliteDatabase Sqlite(this IStorage storage) => ((SqliteStorage)storage).Database;
}
