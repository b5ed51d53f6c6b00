-- Dispatch, PostgreSQL storage - 004: durable reminders (Orleans ADO.NET reminder table).
--
-- Contract:
--   parameters  @ServiceId, @GrainId (GrainId.ToString()), @ReminderName, @StartTime (UTC DateTime),
--               @Period (milliseconds, int or long), @GrainHash / @BeginHash / @EndHash (the grain's uniform
--               hash, an unsigned 32-bit value passed as a signed int), @Version (int, parsed from the ETag);
--   result rows GrainId, ReminderName, StartTime, Period, Version.
--
-- Version is the reminder's ETag: 0 when the row is created, +1 on every upsert of an existing row.
--
-- Ring ranges: each silo owns slices of the 32-bit hash ring and asks for the reminders whose grainhash
-- falls in (BeginHash, EndHash]. Orleans compares the bounds as signed ints (the order the column is stored
-- in) and uses ReadRangeRows1Key when BeginHash < EndHash (no wrap: AND), ReadRangeRows2Key otherwise (the
-- slice wraps past the top, or is the whole ring when Begin = End: OR).

CREATE TABLE IF NOT EXISTS orleansreminderstable
(
    serviceid    varchar(150) NOT NULL,
    grainid      varchar(150) NOT NULL,
    remindername varchar(150) NOT NULL,
    starttime    timestamptz  NOT NULL,
    period       bigint       NOT NULL,
    grainhash    integer      NOT NULL,
    version      integer      NOT NULL,
    CONSTRAINT pk_orleansreminderstable PRIMARY KEY (serviceid, grainid, remindername)
);

CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_servicehash ON orleansreminderstable (serviceid, grainhash);

-- UpsertReminderRowKey -> Version (the new ETag)
INSERT INTO orleansquery (querykey, querytext) VALUES ('UpsertReminderRowKey', $sql$
INSERT INTO orleansreminderstable AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
   SET starttime = excluded.starttime,
       period = excluded.period,
       grainhash = excluded.grainhash,
       version = r.version + 1
RETURNING r.version AS Version;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- ReadReminderRowsKey: all reminders of one grain
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadReminderRowsKey', $sql$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId AND grainid = @GrainId;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- ReadReminderRowKey: one reminder of one grain (no row when it does not exist)
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadReminderRowKey', $sql$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- ReadRangeRows1Key: non-wrapping ring slice (BeginHash, EndHash]
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadRangeRows1Key', $sql$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId
   AND grainhash > @BeginHash AND grainhash <= @EndHash;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- ReadRangeRows2Key: wrapping ring slice (BeginHash, max] + [min, EndHash]
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadRangeRows2Key', $sql$
SELECT grainid AS GrainId, remindername AS ReminderName, starttime AS StartTime, period AS Period, version AS Version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId
   AND (grainhash > @BeginHash OR grainhash <= @EndHash);
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- DeleteReminderRowKey -> one row, one column: number of rows deleted (0 when the ETag is stale)
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteReminderRowKey', $sql$
WITH deleted AS (
    DELETE FROM orleansreminderstable
     WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
       AND version = @Version
    RETURNING 1
)
SELECT count(*)::integer AS deleted FROM deleted;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- DeleteReminderRowsKey: every reminder of the service (tests and tooling)
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteReminderRowsKey', $sql$
DELETE FROM orleansreminderstable WHERE serviceid = @ServiceId;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;
