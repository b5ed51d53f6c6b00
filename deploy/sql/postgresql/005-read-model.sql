-- Dispatch, PostgreSQL storage - 005: the work-order read model.
--
-- A queryable list of work orders per tenant for list views, search and the dispatch board. The work-order grains
-- write a row after every accepted change (Dispatch.Grains.ReadModel.SqlWorkOrderReadModel); the grain state in
-- orleansstorage stays the source of truth, and the rows can be rebuilt from it (WorkOrderReadModelRebuilder).
--
-- Versioning: "version" is WorkOrder.Version. The upsert only replaces a row with a strictly newer version
-- (ON CONFLICT ... DO UPDATE ... WHERE excluded.version > version), so writes may arrive out of order and the newest
-- still wins; concurrent writers of one row are serialized by its row lock.
--
-- Times are Unix milliseconds (bigint), as in the SQLite file, so filters, ordering and paging cursors compare plain
-- integers in both engines. Ids are ordered with COLLATE "C" by the queries (byte order, like SQLite and .NET ordinal).
-- wake_ms is when the order's grain must act by itself (a scheduled dispatch, an overrun alert): a starting silo wakes
-- those grains at once instead of waiting for a late reminder.
--
-- Idempotent: IF NOT EXISTS throughout.

CREATE TABLE IF NOT EXISTS dispatch_work_orders
(
    service_id            varchar(150)     NOT NULL,
    tenant                varchar(64)      NOT NULL,
    id                    varchar(64)      NOT NULL,
    version               bigint           NOT NULL,
    title                 text             NOT NULL,
    status                integer          NOT NULL,
    priority              integer          NOT NULL,
    customer_name         text             NOT NULL,
    customer_name_lower   text             NOT NULL,
    customer_tier         integer          NOT NULL,
    site_address          text             NOT NULL,
    site_latitude         double precision NULL,
    site_longitude        double precision NULL,
    sla_due_ms            bigint           NULL,
    created_ms            bigint           NOT NULL,
    updated_ms            bigint           NOT NULL,
    status_changed_ms     bigint           NOT NULL,
    primary_technician_id varchar(64)      NULL,
    technician_ids        text             NOT NULL,  -- comma-separated, for display; filter through dispatch_work_order_technicians
    scheduled_dispatch_ms bigint           NULL,
    arrival_start_ms      bigint           NULL,
    arrival_end_ms        bigint           NULL,
    wake_ms               bigint           NULL,
    CONSTRAINT pk_dispatch_work_orders PRIMARY KEY (service_id, tenant, id)
);

CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_created  ON dispatch_work_orders (service_id, tenant, created_ms, (id COLLATE "C"));
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_updated  ON dispatch_work_orders (service_id, tenant, updated_ms, (id COLLATE "C"));
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_priority ON dispatch_work_orders (service_id, tenant, priority, (id COLLATE "C"));
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_sla      ON dispatch_work_orders (service_id, tenant, sla_due_ms, (id COLLATE "C"));
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_status   ON dispatch_work_orders (service_id, tenant, status);
CREATE INDEX IF NOT EXISTS ix_dispatch_work_orders_wake     ON dispatch_work_orders (service_id, wake_ms) WHERE wake_ms IS NOT NULL;

CREATE TABLE IF NOT EXISTS dispatch_work_order_technicians
(
    service_id    varchar(150) NOT NULL,
    tenant        varchar(64) NOT NULL,
    work_order_id varchar(64) NOT NULL,
    technician_id varchar(64) NOT NULL,
    CONSTRAINT pk_dispatch_work_order_technicians PRIMARY KEY (service_id, tenant, technician_id, work_order_id)
);

CREATE INDEX IF NOT EXISTS ix_dispatch_work_order_technicians_order ON dispatch_work_order_technicians (service_id, tenant, work_order_id);
