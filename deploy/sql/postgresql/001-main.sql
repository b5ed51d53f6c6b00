-- Dispatch, PostgreSQL storage - 001: query catalogue.
--
-- Orleans' ADO.NET providers carry no SQL of their own. When a provider starts it loads the statements it
-- will run from OrleansQuery (one row per QueryKey) and from then on executes them with named parameters
-- (@DeploymentId, @GrainIdHash, ...). Any SQL is acceptable as long as the parameter names it uses and the
-- column names/types it returns follow the provider's contract; the later scripts in this folder fill the
-- catalogue with PostgreSQL statements written for Dispatch.
--
-- Names are unquoted, so PostgreSQL folds them to lower case; Npgsql matches result columns by name
-- case-insensitively, which is what the providers rely on ("NewGrainStateVersion" -> newgrainstateversion).
-- Everything lives in the connection's default schema (search_path).
--
-- How these scripts are run (Dispatch.Grains.Storage.SchemaMigrator):
--   * in file-name order, each in its own transaction, recorded in dispatch_schema_version;
--   * under a session advisory lock, so silos starting together do not race each other's DDL;
--   * every statement is idempotent (IF NOT EXISTS, CREATE OR REPLACE, upserts): running a script again
--     leaves tables, rows and routines as they were.
--
-- Catalogue texts are dollar-quoted ($sql$ ... $sql$) and upserted; an unchanged text is not rewritten.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT pk_orleansquery PRIMARY KEY (querykey)
);
