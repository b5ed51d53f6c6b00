-- Dispatch, embedded storage (SQLite) - 002: grain state (Orleans ADO.NET grain storage).
--
-- One row per (service, grain type, grain id). Orleans hashes the grain id and the grain type name into two
-- signed 32-bit values (GrainIdHash, GrainTypeHash); they keep the index narrow, and the clear-text columns
-- (GrainIdN0/N1, GrainTypeString, GrainIdExtensionString, ServiceId) resolve the rare hash collision.
--
-- Payload format: whatever serializer the grain storage provider is configured with. Dispatch keeps the
-- Orleans default (JSON via Newtonsoft.Json with type names), so a row can be inspected with any SQLite client.
--
-- Versioning / ETag: Version starts at 1 on the first write and grows by one on every write or clear. Orleans
-- hands it back as the ETag (a string) and sends it as @GrainStateVersion on the next write; a write that
-- returns no version, or the one it was given, is reported by Orleans as an InconsistentStateException.
--
-- Concurrency: every statement below is a single autocommit statement. SQLite takes the database write lock
-- when a writing statement starts, so the existence check and the insert of a first write cannot interleave
-- with another writer; a writer that finds the lock taken is retried by Microsoft.Data.Sqlite until the
-- connection's Default Timeout expires (see DispatchStorageOptions.SqliteConnectionString).
--
-- Identity predicate used throughout (kept in this order so the (GrainIdHash, GrainTypeHash) index is used):
--   GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
--   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS @GrainIdExtensionString AND ServiceId = @ServiceId
-- ("IS" is SQLite's null-safe equality: grains without a key extension store NULL there.)

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,     -- NULL after ClearStateAsync
    ModifiedOn             TEXT    NOT NULL, -- UTC, informational only
    Version                INTEGER NULL
);

CREATE INDEX IF NOT EXISTS IX_OrleansStorage_GrainHashes ON OrleansStorage (GrainIdHash, GrainTypeHash);

-- WriteToStorageKey -> NewGrainStateVersion
-- Two statements; the @GrainStateVersion test makes at most one of them do anything:
--   * no ETag yet (first write of this activation's state): insert version 1 unless a row already exists;
--   * ETag present: bump the row only if it still has that version.
-- Losing either race returns no row, which Orleans turns into an InconsistentStateException.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
     PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId,
       @PayloadBinary, CURRENT_TIMESTAMP, 1
WHERE @GrainStateVersion IS NULL
  AND NOT EXISTS
      (SELECT 1 FROM OrleansStorage
        WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
          AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS @GrainIdExtensionString
          AND ServiceId = @ServiceId)
RETURNING Version AS NewGrainStateVersion;

UPDATE OrleansStorage
   SET PayloadBinary = @PayloadBinary,
       ModifiedOn = CURRENT_TIMESTAMP,
       Version = Version + 1
 WHERE @GrainStateVersion IS NOT NULL
   AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS @GrainIdExtensionString
   AND ServiceId = @ServiceId
   AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- ReadFromStorageKey -> PayloadBinary, Version (no row: the grain has never been written)
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
  FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS @GrainIdExtensionString
   AND ServiceId = @ServiceId
 LIMIT 1;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- ClearStorageKey -> NewGrainStateVersion
-- Keeps the row (and its version history) but drops the payload, under the same ETag check as a write.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
   SET PayloadBinary = NULL,
       ModifiedOn = CURRENT_TIMESTAMP,
       Version = Version + 1
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS @GrainIdExtensionString
   AND ServiceId = @ServiceId
   AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;

-- DeleteStorageKey -> NewGrainStateVersion (used instead of ClearStorageKey when DeleteStateOnClear = true)
-- Removes the row; returns the version it would have had so Orleans can tell success from an ETag conflict.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
   AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS @GrainIdExtensionString
   AND ServiceId = @ServiceId
   AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;
