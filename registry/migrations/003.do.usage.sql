-- Field usage reported by gateways (POST /v1/usage), for usage-aware checks. Only names and counts: an
-- operation's normalised document has its literals hidden, and no variable value is ever reported.
-- Depends only on 001 (the schema `registry`).

-- Every operation a gateway reported: its hash (SHA-256 of the normalised document), name, a sample of
-- the document, and when it was first and last reported.
CREATE TABLE registry.usage_operations (
  hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
  name text,
  document text NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  last_seen timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

-- How often each operation used each schema coordinate, per UTC day and client (name, version; '' when the
-- client sent none). Reports are added to the day's row; `last_seen` is when the latest report arrived.
CREATE TABLE registry.usage_daily (
  day date NOT NULL,
  coordinate text NOT NULL,
  operation_hash text NOT NULL REFERENCES registry.usage_operations (hash),
  client_name text NOT NULL,
  client_version text NOT NULL,
  count bigint NOT NULL CHECK (count >= 1),
  last_seen timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (coordinate, day, operation_hash, client_name, client_version)
);

-- The evidence of a check ("how many operations and clients were reported in the window") reads by time.
CREATE INDEX usage_daily_last_seen ON registry.usage_daily (last_seen);
