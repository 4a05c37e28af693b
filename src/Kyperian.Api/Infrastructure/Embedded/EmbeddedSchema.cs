namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The database's tables, as numbered migrations. A database records the last one applied (<c>PRAGMA user_version</c>);
/// opening it applies the rest in order, each in its own transaction. Never edit a released migration: add the next.
/// </summary>
/// <remarks>
/// Times are UTC ticks (100 ns) in INTEGER columns; records the engine reads back whole are JSON text in
/// <c>body</c>, with the columns a query needs beside it. Tables that grow with traffic keep their rows in arrival
/// order (an INTEGER PRIMARY KEY), which retention walks from the oldest end, so they need no index on time.
/// </remarks>
public static class EmbeddedSchema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "signals and their outbox, decisions, risk ledger, dedupe claims, timeframe state, cooldowns", """
            CREATE TABLE signals (
                seq          INTEGER PRIMARY KEY,
                signal_id    TEXT    NOT NULL UNIQUE,
                symbol       TEXT    NOT NULL,
                received_at  INTEGER NOT NULL,
                body         TEXT    NOT NULL
            );
            CREATE INDEX signals_by_symbol ON signals (symbol, received_at);

            -- The signals not decided yet, by their seq in signals: small whatever the history, and the signals
            -- table is only ever appended to.
            CREATE TABLE signal_outbox (
                seq          INTEGER PRIMARY KEY,
                state        INTEGER NOT NULL, -- 0 Pending (not yet on the bus), 1 Published
                received_at  INTEGER NOT NULL
            );

            CREATE TABLE decisions (
                seq          INTEGER PRIMARY KEY,
                decision_id  TEXT    NOT NULL UNIQUE,
                signal_id    TEXT    NOT NULL,
                symbol       TEXT    NOT NULL,
                decided_at   INTEGER NOT NULL,
                body         TEXT    NOT NULL
            );
            CREATE INDEX decisions_by_symbol ON decisions (symbol, decided_at);

            CREATE TABLE risk_ledger (
                id                     INTEGER PRIMARY KEY CHECK (id = 1),
                day                    TEXT    NOT NULL,
                realized_pnl_today_pct REAL    NOT NULL,
                cumulative_pnl_pct     REAL    NOT NULL,
                peak_pnl_pct           REAL    NOT NULL,
                entries_today          INTEGER NOT NULL,
                halted                 INTEGER NOT NULL,
                halt_reason            TEXT
            );

            CREATE TABLE dedupe_claims (
                seq          INTEGER PRIMARY KEY,
                claim_id     TEXT    NOT NULL UNIQUE,
                expires_at   INTEGER NOT NULL
            );

            CREATE TABLE timeframe_state (
                symbol       TEXT    NOT NULL,
                seconds      INTEGER NOT NULL,
                action       TEXT    NOT NULL,
                confidence   INTEGER NOT NULL,
                observed_at  INTEGER NOT NULL,
                signal_id    TEXT    NOT NULL,
                updated_at   INTEGER NOT NULL,
                PRIMARY KEY (symbol, seconds)
            ) WITHOUT ROWID;

            CREATE TABLE cooldowns (
                symbol           TEXT    NOT NULL PRIMARY KEY,
                last_execute_at  INTEGER NOT NULL,
                expires_at       INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(2, "raw alert bodies kept until delivered", """
            -- The alert as the trader sent it, by its signal's seq, until its decision is delivered; never returned by
            -- a signal read. Removed with its signal by retention.
            CREATE TABLE raw_alerts (
                seq   INTEGER PRIMARY KEY,
                body  TEXT    NOT NULL
            );
            CREATE TRIGGER signals_forget_raw_alert AFTER DELETE ON signals
            BEGIN
                DELETE FROM raw_alerts WHERE seq = OLD.seq;
            END;
            """),
        new(3, "engine v2: positions and closed trades, run-time settings, audit log, risk events, burst members; a timeframe's confidence may be absent and its arrival breaks ties; the day's worst point", """
            -- A timeframe's confidence is null when the alert sent none; received_at orders two signals of one moment.
            CREATE TABLE timeframe_state_v3 (
                symbol       TEXT    NOT NULL,
                seconds      INTEGER NOT NULL,
                action       TEXT    NOT NULL,
                confidence   INTEGER,
                observed_at  INTEGER NOT NULL,
                received_at  INTEGER,
                signal_id    TEXT    NOT NULL,
                updated_at   INTEGER NOT NULL,
                PRIMARY KEY (symbol, seconds)
            ) WITHOUT ROWID;
            INSERT INTO timeframe_state_v3 (symbol, seconds, action, confidence, observed_at, received_at, signal_id, updated_at)
                SELECT symbol, seconds, action, confidence, observed_at, NULL, signal_id, updated_at FROM timeframe_state;
            DROP TABLE timeframe_state;
            ALTER TABLE timeframe_state_v3 RENAME TO timeframe_state;

            -- The lowest point of the trading day's P&L: a breached daily limit holds whatever follows that day.
            ALTER TABLE risk_ledger ADD COLUMN worst_pnl_today_pct REAL NOT NULL DEFAULT 0;

            -- Every other member of a bar-close burst finds the burst's decision by its own decision id.
            CREATE TABLE decision_members (
                member_decision_id  TEXT NOT NULL PRIMARY KEY,
                decision_id         TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX decision_members_by_decision ON decision_members (decision_id);
            CREATE TRIGGER decisions_forget_members AFTER DELETE ON decisions
            BEGIN
                DELETE FROM decision_members WHERE decision_id = OLD.decision_id;
            END;

            CREATE TABLE positions (
                symbol            TEXT    NOT NULL PRIMARY KEY,
                is_open           INTEGER NOT NULL,
                last_decision_id  TEXT,
                body              TEXT    NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE closed_trades (
                seq                  INTEGER PRIMARY KEY,
                closing_decision_id  TEXT    NOT NULL UNIQUE,
                symbol               TEXT    NOT NULL,
                closed_at            INTEGER NOT NULL,
                body                 TEXT    NOT NULL
            );
            CREATE INDEX closed_trades_by_symbol ON closed_trades (symbol, closed_at);

            -- Every version of the run-time settings, the newest in force.
            CREATE TABLE engine_settings (
                version     INTEGER PRIMARY KEY,
                changed_at  INTEGER NOT NULL,
                fields      TEXT    NOT NULL,
                body        TEXT    NOT NULL
            );

            CREATE TABLE audit_log (
                seq       INTEGER PRIMARY KEY,
                entry_id  TEXT    NOT NULL UNIQUE,
                at        INTEGER NOT NULL,
                body      TEXT    NOT NULL
            );

            CREATE TABLE risk_events (
                seq       INTEGER PRIMARY KEY,
                event_id  TEXT    NOT NULL UNIQUE,
                at        INTEGER NOT NULL,
                body      TEXT    NOT NULL
            );
            """),
        new(4, "the operator console: decisions in list order across symbols and by verdict; hourly activity counters", """
            -- GET /decisions across symbols pages by (decided_at, decision_id), newest first, from a cursor.
            CREATE INDEX decisions_by_time ON decisions (decided_at, decision_id);

            -- ?verdict= reads its own index: a rare verdict is not searched for among the common one. The column is
            -- computed from the stored body, never written.
            ALTER TABLE decisions ADD COLUMN verdict TEXT GENERATED ALWAYS AS (json_extract(body, '$.verdict')) VIRTUAL;
            CREATE INDEX decisions_by_verdict ON decisions (verdict, decided_at, decision_id);

            -- GET /stats: one row per UTC hour (ticks of its start) and counter (ActivityKey.Encode()).
            CREATE TABLE activity (
                hour   INTEGER NOT NULL,
                name   TEXT    NOT NULL,
                count  INTEGER NOT NULL,
                PRIMARY KEY (hour, name)
            ) WITHOUT ROWID;
            """),
        new(5, "notification outbox", """
            -- One row per event and destination, a decision's written in its transaction (a risk event's by the engine's
            -- relay from risk_events, a dead letter's or a silence's when raised). status: 0 Pending, 1 Sent,
            -- 2 Failed (dead-lettered). due_at is when a worker may take it: its planned attempt, or the end of the
            -- claim of the worker that holds it. listed_at orders GET /notifications: the last attempt, else creation.
            CREATE TABLE notification_outbox (
                seq              INTEGER PRIMARY KEY,
                delivery_id      TEXT    NOT NULL UNIQUE,
                event_id         TEXT    NOT NULL,
                event_type       TEXT    NOT NULL,
                destination      TEXT    NOT NULL,
                payload          TEXT    NOT NULL,
                raw_alert        TEXT,
                status           INTEGER NOT NULL,
                attempts         INTEGER NOT NULL,
                created_at       INTEGER NOT NULL,
                next_attempt_at  INTEGER NOT NULL,
                claimed_until    INTEGER,
                due_at           INTEGER NOT NULL,
                last_attempt_at  INTEGER,
                last_error       TEXT,
                sent_at          INTEGER,
                listed_at        INTEGER NOT NULL
            );
            -- Only what waits, by destination and when it is due: small however long the history.
            CREATE INDEX notification_outbox_due ON notification_outbox (destination, due_at) WHERE status = 0;
            CREATE INDEX notification_outbox_by_status ON notification_outbox (status, listed_at);
            """),
    ];

    public static int CurrentVersion => Migrations[^1].Version;

    /// <returns>The version the database is at afterwards.</returns>
    internal static int Migrate(EmbeddedConnection connection)
    {
        var version = connection.Scalar<int>("PRAGMA user_version");
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The embedded database is at schema version {version}, newer than this build's {CurrentVersion}: run a newer build.");
        }

        foreach (var migration in Migrations.Where(m => m.Version > version))
        {
            connection.Execute("BEGIN IMMEDIATE");
            try
            {
                connection.Execute(migration.Sql);
                connection.Execute(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA user_version = {migration.Version}"));
                connection.Execute("COMMIT");
            }
            catch
            {
                connection.Execute("ROLLBACK");
                throw;
            }
        }

        return CurrentVersion;
    }

    /// <param name="Version">1, 2, 3…: applied in this order, each once.</param>
    /// <param name="Description">What it adds, for the reader of this file.</param>
    /// <param name="Sql">One or more statements.</param>
    public sealed record Migration(int Version, string Description, string Sql);
}
