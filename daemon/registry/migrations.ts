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
];
