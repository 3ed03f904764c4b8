-- Alerts, joint statements and travel advisories (C3); docs/alerts.md.
--
-- An alert is a CAP 1.2 message.  The columns hold what is queried (the
-- identifier, the sender organisation, sent, status, msgType, scope, the
-- references and the incident: the identifier of the first alert of the
-- chain); cap_json holds the whole message as cap_to_json writes it, and is
-- what CAP export rebuilds the XML from.  CAP scope maps to the visibility
-- of domain/access.h: Public -> public, Restricted and Private -> listed
-- (the addressed organisations in record_shares, kind 'alert').
-- Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE alerts (
  id {{PK}},
  kind TEXT NOT NULL CHECK (kind IN ('alert', 'joint_statement', 'advisory')),
  state TEXT NOT NULL CHECK (state IN ('draft', 'issued', 'withdrawn')),
  owner_org BIGINT NOT NULL REFERENCES orgs(id),
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'partners', 'listed', 'public')),
  identifier TEXT NOT NULL UNIQUE,
  sender TEXT NOT NULL,
  sent TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  msg_type TEXT NOT NULL,
  scope TEXT NOT NULL,
  refs TEXT NOT NULL DEFAULT '',
  incident TEXT NOT NULL,
  headline TEXT NOT NULL DEFAULT '',
  event TEXT NOT NULL DEFAULT '',
  urgency TEXT NOT NULL DEFAULT '',
  severity TEXT NOT NULL DEFAULT '',
  certainty TEXT NOT NULL DEFAULT '',
  areas TEXT NOT NULL DEFAULT '',
  effective_at BIGINT,
  expires_at BIGINT,
  citizens_of TEXT,
  entering TEXT,
  cap_json TEXT NOT NULL,
  views BIGINT NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  issued_at BIGINT
);
CREATE INDEX alerts_incident ON alerts(incident, sent_at);
CREATE INDEX alerts_owner ON alerts(owner_org, id);
CREATE INDEX alerts_public ON alerts(visibility, state, sent_at);

-- ISO 3166 codes of the alert's areas (geocodes ISO3166-1/-2 and, for a
-- subdivision, its country too): what subscriptions match on.
CREATE TABLE alert_areas (
  alert_id BIGINT NOT NULL REFERENCES alerts(id),
  code TEXT NOT NULL,
  PRIMARY KEY (alert_id, code)
);
CREATE INDEX alert_areas_code ON alert_areas(code, alert_id);

-- Co-signers of a joint statement and their decisions.
CREATE TABLE alert_signers (
  alert_id BIGINT NOT NULL REFERENCES alerts(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  decision TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'declined')),
  decided_by TEXT NOT NULL DEFAULT '',
  decided_at BIGINT,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (alert_id, org_id)
);
CREATE INDEX alert_signers_org ON alert_signers(org_id, alert_id);

-- What an organisation wants delivered: alerts of a kind ('*' any) about an
-- area (ISO code, '*' any), to its inbox and, with a URL, to a webhook.
CREATE TABLE alert_subscriptions (
  id {{PK}},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  area TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('*', 'alert', 'joint_statement', 'advisory')),
  webhook_url TEXT,
  webhook_secret TEXT,
  created_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX alert_subscriptions_match ON alert_subscriptions(area, kind, org_id);
CREATE INDEX alert_subscriptions_org ON alert_subscriptions(org_id);

-- The durable outbox and the inbox in one table: one row per alert,
-- recipient organisation and channel.  Inbox rows are delivered when the
-- alert's transaction commits; webhook rows stay pending until the
-- delivery worker gets a 2xx, retrying with backoff (next_at, attempts,
-- last_error).  read_* and acked_* are the recipient's receipts.
CREATE TABLE alert_deliveries (
  id {{PK}},
  alert_id BIGINT NOT NULL REFERENCES alerts(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  channel TEXT NOT NULL CHECK (channel IN ('inbox', 'webhook')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  subscription_id BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  read_at BIGINT,
  read_by TEXT,
  acked_at BIGINT,
  acked_by TEXT,
  ack_alert BIGINT,
  UNIQUE (alert_id, org_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(channel, state, next_at);
CREATE INDEX alert_deliveries_inbox ON alert_deliveries(org_id, channel, alert_id);

-- The ordered feed of the event streams: one row per issued alert (kind
-- 'alert') and per receipt (kind 'read'/'ack', for the sender).  seq comes
-- from alert_event_head inside the writing transaction, so seqs commit in
-- order and without gaps and a reader can follow them with "seq > last".
CREATE TABLE alert_events (
  seq BIGINT PRIMARY KEY,
  alert_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  org_id BIGINT,
  at BIGINT NOT NULL
);
CREATE TABLE alert_event_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL
);
INSERT INTO alert_event_head (id, seq) VALUES (1, 0);
