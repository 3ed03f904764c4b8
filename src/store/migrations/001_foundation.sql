-- Foundation: organisations, users, partnerships, sessions, API tokens,
-- record sharing lists and the hash-chained audit log.
-- Times are milliseconds since the Unix epoch (UTC) in BIGINT columns.

CREATE TABLE orgs (
  id {{PK}},
  kind TEXT NOT NULL,
  name_en TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL,
  parent_id BIGINT REFERENCES orgs(id),
  operator INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (name_en, country)
);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE users (
  id {{PK}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  login TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  pw_hash TEXT NOT NULL,
  lang TEXT NOT NULL DEFAULT 'en',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE partnerships (
  id {{PK}},
  org_a BIGINT NOT NULL REFERENCES orgs(id),
  org_b BIGINT NOT NULL REFERENCES orgs(id),
  status TEXT NOT NULL CHECK (status IN ('proposed', 'active')),
  note TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (org_a, org_b),
  CHECK (org_a <> org_b)
);
CREATE INDEX partnerships_b ON partnerships(org_b, org_a);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id {{PK}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  created_by BIGINT REFERENCES users(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_org ON api_tokens(org_id);

-- The organisations a record with visibility 'listed' is shared with.
-- kind names the record table ('sitrep', 'alert', ...).
CREATE TABLE record_shares (
  kind TEXT NOT NULL,
  record_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  PRIMARY KEY (kind, record_id, org_id)
);
CREATE INDEX record_shares_org ON record_shares(org_id, kind);

-- Append-only audit log.  hash = SHA-256 over the previous row's hash and
-- this row's fields (see domain/audit.c); audit_head serialises appends.
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_user BIGINT,
  actor_org BIGINT,
  actor_label TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_org ON audit_log(actor_org, seq);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
