using System.Text.Json;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>How a database file made by an earlier build reaches this build's schema.</summary>
public sealed class EmbeddedSchemaTests
{
    /// <summary>
    /// A database records only the last version applied, and opening it applies every later one: a gap in the numbers
    /// would let a database skip the migration that later fills it.
    /// </summary>
    [Fact]
    public void Migrations_are_numbered_from_1_without_a_gap()
    {
        Assert.Equal(Enumerable.Range(1, EmbeddedSchema.Migrations.Count), EmbeddedSchema.Migrations.Select(m => m.Version));
        Assert.Equal(EmbeddedSchema.Migrations.Count, EmbeddedSchema.CurrentVersion);
    }

    [Fact]
    public async Task A_database_made_before_the_console_keeps_its_decisions_and_lists_them_across_symbols_and_by_verdict()
    {
        await using var db = new EmbeddedTestDatabase();
        var at = db.Time.GetUtcNow();
        var decisions = new[]
        {
            TestData.Decision(TestData.Signal("BTCUSDT", receivedAt: at.AddSeconds(-3)), at.AddSeconds(-2), Verdict.Execute),
            TestData.Decision(TestData.Signal("ETHUSDT", receivedAt: at.AddSeconds(-2)), at.AddSeconds(-1), Verdict.Veto),
        };

        // The file as engine v2's build left it: schema 3, decisions stored, no console index nor activity table.
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        await using (var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var migration in EmbeddedSchema.Migrations.Where(m => m.Version <= 3))
            {
                Execute(connection, migration.Sql);
            }

            Execute(connection, "PRAGMA user_version = 3");
            foreach (var decision in decisions)
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO decisions (decision_id, signal_id, symbol, decided_at, body) VALUES ($id, $signal, $symbol, $at, $body)";
                insert.Parameters.AddWithValue("$id", decision.DecisionId);
                insert.Parameters.AddWithValue("$signal", decision.SignalId);
                insert.Parameters.AddWithValue("$symbol", decision.Symbol.Value);
                insert.Parameters.AddWithValue("$at", decision.DecidedAt.UtcTicks);
                insert.Parameters.AddWithValue("$body", JsonSerializer.Serialize(decision, EmbeddedJsonContext.Default.Decision));
                await insert.ExecuteNonQueryAsync();
            }
        }

        Assert.Equal(EmbeddedSchema.CurrentVersion, db.Get<EmbeddedDatabase>().SchemaVersion);
        var history = db.Get<IDecisionHistory>();
        var all = await history.QueryAsync(new DecisionQuery { Limit = 10 }, default);
        Assert.Equal(decisions.Reverse().Select(d => d.DecisionId), all.Decisions.Select(d => d.DecisionId));
        Assert.Equal(TestData.Json(decisions[0]), TestData.Json(all.Decisions[1]));
        var vetoed = await history.QueryAsync(new DecisionQuery { Verdict = Verdict.Veto, Limit = 10 }, default);
        Assert.Equal([decisions[1].DecisionId], vetoed.Decisions.Select(d => d.DecisionId));
        Assert.Empty(await db.Get<IActivityStats>().ReadAsync(at.AddHours(-1), at, default));

        static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
