-- Dispatch, embedded storage (SQLite) - 003: durable reminders (Orleans ADO.NET reminder table).
--
-- Orleans ships no SQLite reminder script; these statements implement the same contract as its PostgreSQL
-- one, in SQLite dialect:
--   parameters  @ServiceId, @GrainId (GrainId.ToString()), @ReminderName, @StartTime (UTC DateTime),
--               @Period (milliseconds, int or long), @GrainHash / @BeginHash / @EndHash (the grain's uniform
--               hash, an unsigned 32-bit value passed as a signed int), @Version (int, parsed from the ETag);
--   result rows GrainId, ReminderName, StartTime, Period, Version.
--
-- Version is the reminder's ETag: 0 when the row is created, +1 on every upsert of an existing row.
--
-- StartTime is stored as TEXT the way Microsoft.Data.Sqlite writes a DateTime ('yyyy-MM-dd HH:mm:ss.FFFFFFF',
-- always UTC here); Orleans reads it back with GetDateTime and marks it UTC.
--
-- Ring ranges: each silo owns slices of the 32-bit hash ring and asks for the reminders whose GrainHash
-- falls in (BeginHash, EndHash]. Orleans compares the bounds as signed ints (the same order the column is
-- stored in) and picks
--   ReadRangeRows1Key when BeginHash < EndHash: the slice does not wrap -> GrainHash > Begin AND GrainHash <= End;
--   ReadRangeRows2Key otherwise: the slice wraps past the top  -> GrainHash > Begin OR  GrainHash <= End
--   (Begin = End means the whole ring, which the OR form returns).

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    TEXT    NOT NULL,
    GrainId      TEXT    NOT NULL,
    ReminderName TEXT    NOT NULL,
    StartTime    TEXT    NOT NULL,
    Period       INTEGER NOT NULL,
    GrainHash    INTEGER NOT NULL,
    Version      INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- The range reads scan one service's reminders by hash.
CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_ServiceHash ON OrleansRemindersTable (ServiceId, GrainHash);

-- UpsertReminderRowKey -> Version (the new ETag)
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
   SET StartTime = excluded.StartTime,
       Period = excluded.Period,
       GrainHash = excluded.GrainHash,
       Version = Version + 1
RETURNING Version AS Version;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- ReadReminderRowsKey: all reminders of one grain
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- ReadReminderRowKey: one reminder of one grain (no row when it does not exist)
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- ReadRangeRows1Key: non-wrapping ring slice (BeginHash, EndHash]
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- ReadRangeRows2Key: wrapping ring slice (BeginHash, max] + [min, EndHash]
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId
   AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- DeleteReminderRowKey -> one column, non-zero when the row (with that ETag) was deleted.
-- Orleans always reads exactly one row here, so the count comes from a second statement rather than
-- DELETE ... RETURNING (which yields no row when nothing matched).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
DELETE FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
   AND Version = @Version;
SELECT changes() AS Deleted;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- DeleteReminderRowsKey: every reminder of the service (used by tests and tooling)
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;
