-- Rewrite a copy of the bulk-loaded benchmark database so that records lie in date order and their ids
-- grow with the date, as they do when clinicians log their work (the generator writes random dates
-- in random order). Run on a copy:
--   psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE iw_bench_wb TEMPLATE iw_bench"
--   psql -h 127.0.0.1 -U postgres -d iw_bench_wb -f bench/workbook_reorder.sql
-- Only the indexes the reports read are rebuilt; foreign keys are not (the copy is only read).
\timing on
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
DROP INDEX IF EXISTS ix_activities_team_live_cover;
CREATE TABLE idmap AS SELECT id AS old, row_number() OVER (ORDER BY activity_on, id) AS new FROM activities;
CREATE TABLE activities_new AS SELECT a.*, m.new::integer AS new_id FROM activities a JOIN idmap m ON m.old = a.id ORDER BY m.new;
CREATE TABLE recipients_new AS SELECT m.new::integer AS activity_id, r.recipient_type_id FROM activity_recipients r JOIN idmap m ON m.old = r.activity_id ORDER BY 1, 2;
DROP TABLE activity_recipients;
DROP TABLE activities CASCADE;
ALTER TABLE activities_new DROP COLUMN id;
ALTER TABLE activities_new RENAME COLUMN new_id TO id;
ALTER TABLE activities_new RENAME TO activities;
ALTER TABLE recipients_new RENAME TO activity_recipients;
ALTER TABLE activities ADD CONSTRAINT pk_activities PRIMARY KEY (id);
ALTER TABLE activity_recipients ADD CONSTRAINT pk_activity_recipients PRIMARY KEY (activity_id, recipient_type_id);
CREATE INDEX ix_activities_organisation_id_activity_on ON activities (organisation_id, activity_on);
CREATE INDEX ix_activities_clinician_id_activity_on ON activities (clinician_id, activity_on);
CREATE INDEX ix_activities_activity_type_id ON activities (activity_type_id);
CREATE INDEX ix_activities_team_dashboard ON activities (team_id, activity_on, deleted_at, activity_type_id, clinician_id, duration_minutes, people_reached) INCLUDE (consultation_mechanism_code, id);
DROP TABLE idmap;
VACUUM ANALYZE activities;
VACUUM ANALYZE activity_recipients;
