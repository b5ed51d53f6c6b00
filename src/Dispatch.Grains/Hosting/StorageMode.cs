namespace Dispatch.Grains.Hosting;

/// <summary>Where the silo keeps cluster membership, grain state and reminders (DESIGN.md, "Storage modes").</summary>
public enum StorageMode
{
    /// <summary>Single silo with localhost clustering; grain state and reminders in one SQLite file. The default.</summary>
    Embedded,

    /// <summary>N silos: ADO.NET clustering, grain state and reminders in PostgreSQL.</summary>
    Postgres,

    /// <summary>Localhost clustering, in-memory grain state and reminders. Tests only: nothing survives a restart.</summary>
    Memory,
}
