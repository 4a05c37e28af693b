using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// One open SQLite connection and its prepared statements. A statement is prepared the first time its SQL text is
/// used on this connection and reused for the connection's life; its parameters are the <c>$name</c> tokens of the text.
/// Not thread-safe: the writer thread owns the write connection, a reader lease owns a read connection.
/// </summary>
public sealed partial class EmbeddedConnection : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    internal EmbeddedConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The prepared statement for <paramref name="sql"/>, parameters reset to null. Use constant SQL texts only.</summary>
    public SqliteCommand Statement(string sql)
    {
        if (_statements.TryGetValue(sql, out var command))
        {
            foreach (SqliteParameter parameter in command.Parameters)
            {
                parameter.Value = DBNull.Value;
            }

            return command;
        }

        command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in ParameterName().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal))
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        command.Prepare();
        _statements.Add(sql, command);
        return command;
    }

    /// <summary>Runs a statement that is not worth keeping prepared (pragmas, schema changes).</summary>
    public void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public T? Scalar<T>(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>False when SQLite has rolled the open transaction back by itself (disk full, I/O error).</summary>
    internal bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(Connection.Handle) == 0;

    public void Dispose()
    {
        foreach (var command in _statements.Values)
        {
            command.Dispose();
        }

        _statements.Clear();
        Connection.Dispose();
    }

    [GeneratedRegex(@"\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}

/// <summary>Binding shorthand for prepared statements.</summary>
public static class EmbeddedStatementExtensions
{
    public static SqliteCommand Set(this SqliteCommand command, string name, object? value)
    {
        command.Parameters[name].Value = value ?? DBNull.Value;
        return command;
    }

    /// <summary>Times are stored as UTC ticks (100 ns): exact, and ordered as numbers.</summary>
    public static SqliteCommand Set(this SqliteCommand command, string name, DateTimeOffset value) =>
        command.Set(name, value.UtcTicks);

    public static DateTimeOffset GetTime(this SqliteDataReader reader, int ordinal) =>
        new(reader.GetInt64(ordinal), TimeSpan.Zero);
}
