-- The event feed's horizon (docs/events.md#feed), scoped to this database. pg_snapshot_xmin() is the
-- oldest transaction still running on the whole server: a long writer in another database of the
-- same server (a migration, a bulk load, another application) would hold every event back although
-- it can never write ours. The horizon is the oldest transaction id of the current snapshot still in
-- progress that may belong to this database: every in-progress id of the snapshot except those
-- positively seen as the top-level transaction of a session connected to another database (an id
-- we cannot place, e.g. a subtransaction or one that just ended, is kept: the conservative side).
-- With none left, the snapshot's xmax: every id below it has ended.
-- STABLE: it reads the caller's snapshot, so it agrees with the rows the same statement reads.
CREATE FUNCTION events_horizon() RETURNS xid8
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
      WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                         WHERE a.backend_xid = xid(x) AND a.datname IS DISTINCT FROM current_database())),
    pg_snapshot_xmax(pg_current_snapshot()))
$$;
