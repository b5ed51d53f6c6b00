-- Dispatch, embedded storage (SQLite) - 001: query catalogue.
--
-- Orleans' ADO.NET providers carry no SQL of their own. When a provider starts it loads the statements it
-- will run from OrleansQuery (one row per QueryKey) and from then on executes them with named parameters
-- (@GrainIdHash, @ServiceId, ...). Any SQL is acceptable as long as the parameter names it uses and the
-- column names/types it returns follow the provider's contract; the later scripts in this folder fill the
-- catalogue with SQLite statements written for Dispatch.
--
-- How these scripts are run (Dispatch.Grains.Storage.SchemaMigrator):
--   * in file-name order, each inside one write transaction (BEGIN IMMEDIATE), recorded in DispatchSchemaVersion;
--   * the migrator switches the database file to WAL before running them (journal_mode can't change inside a
--     transaction, so it is not set here);
--   * every statement is idempotent: running a script again leaves tables and rows as they were.
--
-- Catalogue rows are written with an upsert that only touches a row whose text actually changed.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
