-- One counter per kind of data that public read endpoints serve.  Every
-- write of that data raises its counter in the same transaction, so the
-- server can keep rendered anonymous responses and know with one
-- primary-key read whether they are still current (http/cache.c).  This
-- replaces indicators_version (003), which served the same purpose for
-- one table.
CREATE TABLE data_versions (
  name TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) SELECT 'indicators', version FROM indicators_version WHERE id = 1;
INSERT INTO data_versions (name, version) VALUES ('sitreps', 0);
INSERT INTO data_versions (name, version) VALUES ('risk', 0);
INSERT INTO data_versions (name, version) VALUES ('orgs', 0);
DROP TABLE indicators_version;
