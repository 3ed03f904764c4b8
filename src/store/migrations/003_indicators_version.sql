-- A counter that every change of the indicators table raises in the same
-- transaction (domain/indicators.c), so the server can keep rendered
-- indicator responses and know with one primary-key read whether they are
-- still current.
CREATE TABLE indicators_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO indicators_version (id, version) VALUES (1, 0);
