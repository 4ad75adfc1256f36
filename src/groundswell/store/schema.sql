CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
-- author_handle_key: the author's handle hashed as a deletion list's handle is (never shown)
CREATE TABLE IF NOT EXISTS posts (
  platform VARCHAR NOT NULL, id VARCHAR NOT NULL, url VARCHAR, author VARCHAR, author_name VARCHAR,
  created_at TIMESTAMP, lang VARCHAR, text VARCHAR NOT NULL, hashtags VARCHAR[], mentions VARCHAR[],
  urls VARCHAR[], reply_to VARCHAR, quote_of VARCHAR, metrics VARCHAR, format VARCHAR,
  source_file VARCHAR, source_line BIGINT, synthetic BOOLEAN DEFAULT false,
  author_handle_key VARCHAR
);
CREATE TABLE IF NOT EXISTS reposts (
  platform VARCHAR NOT NULL, id VARCHAR NOT NULL, repost_of VARCHAR NOT NULL, author VARCHAR,
  created_at TIMESTAMP, format VARCHAR, source_file VARCHAR, source_line BIGINT,
  author_handle_key VARCHAR
);
CREATE TABLE IF NOT EXISTS articles (
  id VARCHAR PRIMARY KEY, title VARCHAR, text VARCHAR NOT NULL, created_at TIMESTAMP, author VARCHAR,
  url VARCHAR, format VARCHAR, source_file VARCHAR
);
-- record_key: a hash of the record's file as an absolute path, its line and its raw bytes
-- (db.quarantine_key): a file read again keeps its records once, another file of the same name
-- (in another folder) or of other content keeps its own
CREATE TABLE IF NOT EXISTS quarantine (
  source_file VARCHAR NOT NULL, line BIGINT NOT NULL, reason VARCHAR NOT NULL, raw BLOB,
  format VARCHAR, record_key VARCHAR PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS forgotten (kind VARCHAR NOT NULL, value VARCHAR NOT NULL,
  PRIMARY KEY (kind, value));
CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY, command VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
  params VARCHAR, counts VARCHAR
);
