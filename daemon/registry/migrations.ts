// The registry schema as one ordered list of migrations. PRAGMA user_version records how many have
// run, so an old registry is brought forward on open and a newer one is refused rather than misread.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clusters (
    name TEXT PRIMARY KEY,
    labels TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    interval_seconds REAL NOT NULL,
    registration TEXT NOT NULL CHECK (registration IN ('pending', 'registered', 'expired')),
    token_hash TEXT NOT NULL,
    token_burned INTEGER NOT NULL DEFAULT 0,
    agent_keyid TEXT,
    agent_public_key TEXT,
    registered_at TEXT,
    health TEXT NOT NULL DEFAULT 'unknown'
  );

  CREATE TABLE status_latest (
    cluster TEXT PRIMARY KEY REFERENCES clusters(name) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    reported_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    etag TEXT NOT NULL,
    payload TEXT NOT NULL
  );

  CREATE TABLE health_transitions (
    id INTEGER PRIMARY KEY,
    cluster TEXT NOT NULL REFERENCES clusters(name) ON DELETE CASCADE,
    at TEXT NOT NULL,
    from_health TEXT NOT NULL,
    to_health TEXT NOT NULL,
    reasons TEXT NOT NULL
  );
  CREATE INDEX health_transitions_by_cluster ON health_transitions(cluster, id);

  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
  );

  CREATE TABLE rejections (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    cluster TEXT,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE UNIQUE INDEX rejections_by_object ON rejections(key, etag);
  CREATE INDEX rejections_by_cluster ON rejections(cluster, id);

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  `,
  // Jobs (issue 3): per-cluster seq counters outlive their cluster (a re-added name never reuses a
  // seq), params hold sealed secrets only as ciphertext, and teardowns are recorded once per cluster.
  `
  CREATE TABLE job_seqs (
    cluster TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
  );

  CREATE TABLE agent_encryption_keys (
    cluster TEXT PRIMARY KEY,
    keyid TEXT NOT NULL,
    encryption_key TEXT NOT NULL,
    pinned_at TEXT NOT NULL
  );

  CREATE TABLE fleet_jobs (
    id TEXT PRIMARY KEY,
    selector TEXT NOT NULL,
    type TEXT NOT NULL,
    params TEXT NOT NULL,
    destructive INTEGER NOT NULL,
    issuer_token_id TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    clusters INTEGER NOT NULL
  );

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    params TEXT NOT NULL,
    payload TEXT NOT NULL,
    destructive INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'dispatched', 'running', 'succeeded', 'failed', 'expired', 'rejected', 'cancelled')),
    issuer_token_id TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    not_after TEXT NOT NULL,
    fleet_job_id TEXT REFERENCES fleet_jobs(id),
    result_state TEXT,
    result_started_at TEXT,
    result_finished_at TEXT,
    result_detail TEXT,
    result_reason TEXT,
    result_output TEXT,
    result_etag TEXT,
    UNIQUE (cluster, seq)
  );
  CREATE INDEX jobs_by_state ON jobs(state, cluster, seq);
  CREATE INDEX jobs_by_fleet_job ON jobs(fleet_job_id);
  CREATE INDEX jobs_by_submitted ON jobs(submitted_at);

  CREATE TABLE teardowns (
    cluster TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    job_id TEXT
  );
  `,
  // Jobs are bound to a registration: each add of a cluster name is a new generation whose seqs start
  // at 1, so (cluster, seq) is unique only within a generation and old generations stay readable.
  // A removed cluster owes a store cleanup of its jobs/ and results/ until the daemon has done it.
  // Counters of clusters already removed are retired here, as a removal now does.
  `
  ALTER TABLE job_seqs ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE jobs_v3 (
    id TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    params TEXT NOT NULL,
    payload TEXT NOT NULL,
    destructive INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'dispatched', 'running', 'succeeded', 'failed', 'expired', 'rejected', 'cancelled')),
    issuer_token_id TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    not_after TEXT NOT NULL,
    fleet_job_id TEXT REFERENCES fleet_jobs(id),
    result_state TEXT,
    result_started_at TEXT,
    result_finished_at TEXT,
    result_detail TEXT,
    result_reason TEXT,
    result_output TEXT,
    result_etag TEXT,
    UNIQUE (cluster, generation, seq)
  );
  INSERT INTO jobs_v3 (id, cluster, generation, seq, type, params, payload, destructive, state, issuer_token_id, issuer_name, submitted_at, not_after, fleet_job_id,
    result_state, result_started_at, result_finished_at, result_detail, result_reason, result_output, result_etag)
  SELECT id, cluster, 0, seq, type, params, payload, destructive, state, issuer_token_id, issuer_name, submitted_at, not_after, fleet_job_id,
    result_state, result_started_at, result_finished_at, result_detail, result_reason, result_output, result_etag FROM jobs;
  DROP TABLE jobs;
  ALTER TABLE jobs_v3 RENAME TO jobs;
  CREATE INDEX jobs_by_state ON jobs(state, cluster, generation, seq);
  CREATE INDEX jobs_by_fleet_job ON jobs(fleet_job_id);
  CREATE INDEX jobs_by_submitted ON jobs(submitted_at);

  CREATE TABLE store_cleanups (
    cluster TEXT PRIMARY KEY,
    requested_at TEXT NOT NULL
  );

  INSERT INTO store_cleanups (cluster, requested_at)
    SELECT cluster, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM job_seqs WHERE cluster NOT IN (SELECT name FROM clusters);
  UPDATE job_seqs SET generation = 1, last_seq = 0 WHERE cluster NOT IN (SELECT name FROM clusters);
  UPDATE jobs SET state = 'cancelled', result_state = 'cancelled',
    result_started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), result_finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    result_detail = 'the cluster was removed before this job finished'
    WHERE cluster NOT IN (SELECT name FROM clusters) AND state IN ('pending', 'dispatched', 'running');
  DELETE FROM teardowns WHERE cluster NOT IN (SELECT name FROM clusters);
  DELETE FROM agent_encryption_keys WHERE cluster NOT IN (SELECT name FROM clusters);
  `,
  // Job history leaves the store (jobs.retention): when the daemon collected each result, by its own
  // clock, and when the job's envelope and result were deleted from the store. Results collected
  // before this count from their finish time. The partial index holds only jobs still in the store.
  `
  ALTER TABLE jobs ADD COLUMN result_collected_at TEXT;
  ALTER TABLE jobs ADD COLUMN store_removed_at TEXT;
  UPDATE jobs SET result_collected_at = result_finished_at WHERE result_etag IS NOT NULL;
  CREATE INDEX jobs_in_store ON jobs(cluster, generation, seq) WHERE result_collected_at IS NOT NULL AND store_removed_at IS NULL;
  `,
  // Log lines agents report as lost before they could ship them (issue 7): per-cluster totals, and
  // the reports themselves, one row per (cluster, file, reason, at) so a resent batch counts once.
  `
  CREATE TABLE log_drop_totals (
    cluster TEXT PRIMARY KEY REFERENCES clusters(name) ON DELETE CASCADE,
    lines INTEGER NOT NULL,
    bytes INTEGER NOT NULL
  );
  CREATE TABLE log_drops (
    id INTEGER PRIMARY KEY,
    cluster TEXT NOT NULL REFERENCES clusters(name) ON DELETE CASCADE,
    file TEXT NOT NULL,
    path TEXT NOT NULL,
    lines INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX log_drops_by_report ON log_drops(cluster, file, reason, at);
  CREATE INDEX log_drops_by_cluster ON log_drops(cluster, id);
  `,
  // Each cluster's monitoring settings (configure-monitoring, docs/METRICS.md): the JSON the daemon
  // validated (core/metrics/monitoring.ts), and the version of the last monitoring config it signed
  // from them, so versions keep growing even if the store's copy is lost. They go with the cluster.
  `
  CREATE TABLE monitoring_settings (
    cluster TEXT PRIMARY KEY REFERENCES clusters(name) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    config_version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // A token's scope (issue 10, docs/ACCESS.md): the label selector its role holds over, or NULL for
  // the whole fleet, which every token created before had.
  `
  ALTER TABLE tokens ADD COLUMN scope TEXT;
  `,
  // Bindings (issue 10, docs/ACCESS.md): a role over a cluster scope for an OIDC subject or group,
  // made with `flotilla binding add`. Those of daemon.yaml's auth.bindings are never stored.
  `
  CREATE TABLE bindings (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('subject', 'group')),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    scope TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE INDEX bindings_by_name ON bindings (kind, name);
  `,
];
