-- Situation sharing (C1), indicators and risk assessment (C2).
--
-- A situation report is one organisation's figures for one area and day.
-- Count columns are NULL when not reported; transmission 'no_cases' with
-- zero counts is the explicit "no cases" state, distinct from no row (no
-- report).  A correction bumps `revision` and keeps the previous values in
-- sitrep_revisions.
--
-- The CHECKs on sitreps spell their value lists with OR, not IN: SQLite
-- compiles a constant IN list in a CHECK into an ephemeral table that it
-- builds and drops on every INSERT, which was half the CPU time of a large
-- import (bench/b2_import.sh).  Same meaning, NULL included.

CREATE TABLE sitreps (
  id {{PK}},
  owner_org BIGINT NOT NULL REFERENCES orgs(id),
  visibility TEXT NOT NULL CHECK (visibility = 'private' OR visibility = 'partners' OR visibility = 'listed' OR visibility = 'public'),
  area TEXT NOT NULL,
  day TEXT NOT NULL,
  new_confirmed BIGINT,
  cum_confirmed BIGINT,
  new_suspected BIGINT,
  cum_suspected BIGINT,
  new_deaths BIGINT,
  cum_deaths BIGINT,
  new_recovered BIGINT,
  cum_recovered BIGINT,
  new_tests BIGINT,
  cum_tests BIGINT,
  transmission TEXT CHECK (transmission = 'no_cases' OR transmission = 'sporadic' OR transmission = 'clusters' OR transmission = 'community'),
  flags INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  revision INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL DEFAULT '',
  UNIQUE (owner_org, area, day)
);
CREATE INDEX sitreps_area_day ON sitreps(area, day);
CREATE INDEX sitreps_day ON sitreps(day);
CREATE INDEX sitreps_updated ON sitreps(updated_at, id);

CREATE TABLE sitrep_revisions (
  sitrep_id BIGINT NOT NULL REFERENCES sitreps(id),
  revision INTEGER NOT NULL,
  values_json TEXT NOT NULL,
  changed_at BIGINT NOT NULL,
  changed_by TEXT NOT NULL,
  PRIMARY KEY (sitrep_id, revision)
);

-- Indicators computed by `epibridge indicators` (src/epi) from the public
-- reports of one source organisation per area.
CREATE TABLE indicators (
  area TEXT NOT NULL,
  day TEXT NOT NULL,
  source_org BIGINT NOT NULL REFERENCES orgs(id),
  cases BIGINT,
  avg7 DOUBLE PRECISION,
  nr14 DOUBLE PRECISION,
  growth_r DOUBLE PRECISION,
  growth_lo DOUBLE PRECISION,
  growth_hi DOUBLE PRECISION,
  doubling DOUBLE PRECISION,
  doubling_lo DOUBLE PRECISION,
  doubling_hi DOUBLE PRECISION,
  rt_mean DOUBLE PRECISION,
  rt_sd DOUBLE PRECISION,
  rt_q025 DOUBLE PRECISION,
  rt_q05 DOUBLE PRECISION,
  rt_q25 DOUBLE PRECISION,
  rt_median DOUBLE PRECISION,
  rt_q75 DOUBLE PRECISION,
  rt_q95 DOUBLE PRECISION,
  rt_q975 DOUBLE PRECISION,
  computed_at BIGINT NOT NULL,
  PRIMARY KEY (area, day)
);
CREATE INDEX indicators_day ON indicators(day);

-- Risk assessments: a level for an area (ISO code), a WHO region or the
-- world, by an organisation, on a day.  Every assessment is kept: the
-- history of a scope is its rows by day.
CREATE TABLE risk_assessments (
  id {{PK}},
  owner_org BIGINT NOT NULL REFERENCES orgs(id),
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'partners', 'listed', 'public')),
  scope TEXT NOT NULL CHECK (scope IN ('area', 'region', 'world')),
  scope_code TEXT NOT NULL,
  day TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('low', 'moderate', 'high', 'very_high')),
  rationale TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (owner_org, scope, scope_code, day)
);
CREATE INDEX risk_scope ON risk_assessments(scope, scope_code, day);
