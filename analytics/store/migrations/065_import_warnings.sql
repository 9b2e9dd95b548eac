-- 065: what an import warned about (a map key matching no value, a default standing in for a missing
-- column, a timestamp format that misses values, day and month in doubt, the fold and the file's
-- columns disagreeing, many rows rejected), as a JSON list of sentences.
ALTER TABLE import_run_details ADD COLUMN warnings JSON;
