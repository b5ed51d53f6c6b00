using Microsoft.Data.Sqlite;

namespace Dispatch.Grains.Hosting;

/// <summary>Storage settings, bound from the <c>Dispatch:Storage</c> configuration section.</summary>
public sealed class DispatchStorageOptions
{
    public const string SectionName = "Dispatch:Storage";

    /// <summary>File name of the embedded database inside <see cref="DataDirectory"/>.</summary>
    public const string SqliteFileName = "dispatch.db";

    /// <summary>
    /// Seconds a SQLite command keeps retrying while another connection holds the write lock (Microsoft.Data.Sqlite's
    /// <c>Default Timeout</c>, its busy timeout). Orleans opens its own connections from the connection string, so
    /// the setting has to travel in the string.
    /// </summary>
    public const int SqliteBusyTimeoutSeconds = 30;

    public StorageMode Mode { get; set; } = StorageMode.Embedded;

    /// <summary>Embedded mode: directory of the SQLite file (created by the migrator). Relative paths resolve against the current directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Postgres mode: the Npgsql connection string (required). Embedded mode: optional override of the SQLite database,
    /// either a file path or a full Microsoft.Data.Sqlite connection string.
    /// </summary>
    public string? ConnectionString { get; set; }

    public string ClusterId { get; set; } = "dispatch";

    public string ServiceId { get; set; } = "dispatch";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Postgres mode: the IP address (or host name, resolved at start-up) other silos and clients use to reach this silo.
    /// Defaults to loopback, which only suits a development machine. With a non-loopback address the silo listens on all
    /// interfaces.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Apply the schema scripts (<see cref="Storage.SchemaMigrator.ApplyAsync"/>) as the first step of silo start-up.
    /// The scripts are idempotent and recorded, so this is cheap when the schema is current.
    /// </summary>
    public bool ApplySchemaOnStartup { get; set; } = true;

    /// <summary>
    /// The Microsoft.Data.Sqlite connection string for embedded mode: <c>dispatch.db</c> in <see cref="DataDirectory"/>
    /// (or the <see cref="ConnectionString"/> override), absolute path, pooled, with the busy timeout above. The database is
    /// switched to WAL by the migrator (journal mode is a property of the file and cannot be set in a connection string).
    /// </summary>
    public string SqliteConnectionString
    {
        get
        {
            SqliteConnectionStringBuilder builder;
            var custom = ConnectionString;
            if (Mode == StorageMode.Embedded && !string.IsNullOrWhiteSpace(custom))
            {
                builder = custom.Contains('=', StringComparison.Ordinal)
                    ? new SqliteConnectionStringBuilder(custom)
                    : new SqliteConnectionStringBuilder { DataSource = custom };
                if (!custom.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
                {
                    builder.DefaultTimeout = SqliteBusyTimeoutSeconds;
                }
            }
            else
            {
                builder = new SqliteConnectionStringBuilder
                {
                    DataSource = Path.Combine(DataDirectory, SqliteFileName),
                    DefaultTimeout = SqliteBusyTimeoutSeconds,
                };
            }

            if (IsFileDataSource(builder.DataSource))
            {
                builder.DataSource = Path.GetFullPath(builder.DataSource);
            }

            builder.Pooling = true;
            return builder.ToString();
        }
    }

    internal static bool IsFileDataSource(string dataSource) =>
        !string.IsNullOrEmpty(dataSource)
        && !string.Equals(dataSource, ":memory:", StringComparison.OrdinalIgnoreCase)
        && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
}
