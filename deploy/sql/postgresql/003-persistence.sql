-- Dispatch, PostgreSQL storage - 003: grain state (Orleans ADO.NET grain storage).
--
-- One row per (service, grain type, grain id). Orleans hashes the grain id and the grain type name into two
-- signed 32-bit values (grainidhash, graintypehash); they keep the index narrow, and the clear-text columns
-- resolve the rare hash collision.
--
-- Payload format: whatever serializer the grain storage provider is configured with. Dispatch keeps the
-- Orleans default (JSON via Newtonsoft.Json with type names) - readable with psql, tolerant of added fields.
--
-- Versioning / ETag: version is 1 after the first write and grows by one on every write or clear. Orleans
-- hands it back as the ETag and sends it as @GrainStateVersion on the next write; a write that returns no
-- version (NULL) is reported by Orleans as an InconsistentStateException.

CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash            integer      NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    graintypehash          integer      NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidextensionstring varchar(512) NULL,
    serviceid              varchar(150) NOT NULL,
    payloadbinary          bytea        NULL,     -- NULL after ClearStateAsync
    modifiedon             timestamptz  NOT NULL, -- informational only
    version                integer      NULL
);

CREATE INDEX IF NOT EXISTS ix_orleansstorage_grainhashes ON orleansstorage (grainidhash, graintypehash);

-- Writes a grain's state with an optimistic-concurrency check and returns the new version, or NULL when the
-- caller's ETag is stale (a newer write happened) or when it believes the state is new but a row exists.
--
-- The first write of a state (no ETag) must insert exactly once even if two activations of the same grain
-- race (possible briefly during failures). Under READ COMMITTED a NOT EXISTS check alone cannot guarantee
-- that, so first writes take a transaction-scoped advisory lock on the (grain, type) hash pair - in the
-- two-int key space, which does not overlap the bigint key used by the schema migrator - and the check and
-- insert that follow see any row committed by the winner. Updates need no lock: the version predicate is
-- re-checked on the locked row.
CREATE OR REPLACE FUNCTION dispatch_storage_write(
    p_grainidhash            integer,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_graintypehash          integer,
    p_graintypestring        text,
    p_grainidextensionstring text,
    p_serviceid              text,
    p_grainstateversion      integer,
    p_payloadbinary          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_grainstateversion IS NOT NULL THEN
        UPDATE orleansstorage
           SET payloadbinary = p_payloadbinary,
               modifiedon = now(),
               version = version + 1
         WHERE grainidhash = p_grainidhash AND graintypehash = p_graintypehash
           AND grainidn0 = p_grainidn0 AND grainidn1 = p_grainidn1
           AND graintypestring = p_graintypestring
           AND grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
           AND serviceid = p_serviceid
           AND version = p_grainstateversion
        RETURNING version INTO v_new;
        RETURN v_new;
    END IF;

    PERFORM pg_advisory_xact_lock(p_grainidhash, p_graintypehash);

    INSERT INTO orleansstorage
        (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid,
         payloadbinary, modifiedon, version)
    SELECT p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring, p_grainidextensionstring,
           p_serviceid, p_payloadbinary, now(), 1
     WHERE NOT EXISTS
           (SELECT 1 FROM orleansstorage
             WHERE grainidhash = p_grainidhash AND graintypehash = p_graintypehash
               AND grainidn0 = p_grainidn0 AND grainidn1 = p_grainidn1
               AND graintypestring = p_graintypestring
               AND grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
               AND serviceid = p_serviceid)
    RETURNING version INTO v_new;
    RETURN v_new;
END
$fn$;

-- WriteToStorageKey -> NewGrainStateVersion (NULL on a concurrency conflict)
INSERT INTO orleansquery (querykey, querytext) VALUES ('WriteToStorageKey', $sql$
SELECT dispatch_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                              @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)
       AS NewGrainStateVersion;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- ReadFromStorageKey -> PayloadBinary, Version (no row: never written)
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadFromStorageKey', $sql$
SELECT payloadbinary AS PayloadBinary, version AS Version
  FROM orleansstorage
 WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
   AND graintypestring = @GrainTypeString
   AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
   AND serviceid = @ServiceId
 LIMIT 1;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- ClearStorageKey -> NewGrainStateVersion: drop the payload, keep the row and its version line.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ClearStorageKey', $sql$
UPDATE orleansstorage
   SET payloadbinary = NULL,
       modifiedon = now(),
       version = version + 1
 WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
   AND graintypestring = @GrainTypeString
   AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
   AND serviceid = @ServiceId
   AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;

-- DeleteStorageKey -> NewGrainStateVersion (used when DeleteStateOnClear = true): remove the row, returning
-- the version it would have had so Orleans can tell success from an ETag conflict.
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteStorageKey', $sql$
DELETE FROM orleansstorage
 WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
   AND graintypestring = @GrainTypeString
   AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
   AND serviceid = @ServiceId
   AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion;
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext
 WHERE orleansquery.querytext IS DISTINCT FROM excluded.querytext;
