-- Dispatch, embedded storage (SQLite) - 004: the work-order read model.
--
-- A queryable list of work orders per tenant for list views, search and the dispatch board. The work-order grains
-- write a row after every accepted change (Dispatch.Grains.ReadModel.SqlWorkOrderReadModel); the grain state in
-- OrleansStorage stays the source of truth, and the rows can be rebuilt from it (WorkOrderReadModelRebuilder).
--
-- Versioning: "version" is WorkOrder.Version. The upsert only replaces a row with a strictly newer version
-- (ON CONFLICT ... DO UPDATE ... WHERE excluded.version > version), so writes may arrive out of order and the newest
-- still wins.
--
-- Times are Unix milliseconds (INTEGER), the same in both engines, so filters, ordering and paging cursors compare
-- plain integers. customer_name_lower is lower-cased by the application (SQLite's lower() only knows ASCII).
-- wake_ms is when the order's grain must act by itself (a scheduled dispatch, an overrun alert): after a restart the
-- silo wakes those grains at once instead of waiting for a late reminder.
--
-- Idempotent: IF NOT EXISTS throughout.

CREATE TABLE IF NOT EXISTS dispatch_work_orders
(
    service_id            TEXT    NOT NULL,
    tenant                TEXT    NOT NULL,
    id                    TEXT    NOT NULL,
    version               INTEGER NOT NULL,
    title                 TEXT    NOT NULL,
    status                INTEGER NOT NULL,
    priority              INTEGER NOT NULL,
    customer_name         TEXT    NOT NULL,
    customer_name_lower   TEXT    NOT NULL,
    customer_tier         INTEGER NOT NULL,
    site_address          TEXT    NOT NULL,
    site_latitude         REAL    NULL,
    site_longitude        REAL    NULL,
    sla_due_ms            INTEGER NULL,
    created_ms            INTEGER NOT NULL,
    updated_ms            INTEGER NOT NULL,
    status_changed_ms     INTEGER NOT NULL,
    primary_technician_id TEXT    NULL,
    technician_ids        TEXT    NOT NULL,  -- comma-separated, for display; filter through dispatch_work_order_technicians
    scheduled_dispatch_ms INTEGER NULL,
    arrival_start_ms      INTEGER NULL,
    arrival_end_ms        INTEGER NULL,
    wake_ms               INTEGER NULL,
    PRIMARY KEY (service_id, tenant, id)
);

CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_created  ON dispatch_work_orders (service_id, tenant, created_ms, id);
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_updated  ON dispatch_work_orders (service_id, tenant, updated_ms, id);
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_priority ON dispatch_work_orders (service_id, tenant, priority, id);
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_sla      ON dispatch_work_orders (service_id, tenant, sla_due_ms, id);
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_status   ON dispatch_work_orders (service_id, tenant, status);
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_wake     ON dispatch_work_orders (service_id, wake_ms) WHERE wake_ms IS NOT NULL;

CREATE TABLE IF NOT EXISTS dispatch_work_order_technicians
(
    service_id    TEXT NOT NULL,
    tenant        TEXT NOT NULL,
    work_order_id TEXT NOT NULL,
    technician_id TEXT NOT NULL,
    PRIMARY KEY (service_id, tenant, technician_id, work_order_id)
);

CREATE INDEX IF NOT EXISTS ix_dispatch_work_order_technicians_order ON dispatch_work_order_technicians (service_id, tenant, work_order_id);
