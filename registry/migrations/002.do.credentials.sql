-- Who may use the registry besides an admin's JWT: API keys the registry issues, and the subgraph names granted
-- to partner organisations. Keys and grants are never deleted: revoking one stamps it, so the history of who
-- could do what (and the `publisher` of old versions, `partner:<org>/key:<id>`) stays explainable.

-- A key is `agk_<id>_<secret>`; only the SHA-256 of the secret is stored (see registry/credentials.ts for why
-- that is enough). `org` is the organisation of a partner key, and only of one.
CREATE TABLE registry.credentials (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
  kind text NOT NULL CHECK (kind IN ('admin', 'gateway', 'partner')),
  org text CHECK (org ~ '^[a-z][a-z0-9-]{0,62}$'),
  label text NOT NULL DEFAULT '',
  secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  last_used_at timestamptz,
  revoked_by text,
  revoked_at timestamptz,
  CHECK ((kind = 'partner') = (org IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

-- A subgraph name granted to an organisation: its partner keys may check, publish, remove, roll back and read it.
-- At most one live grant per name (the partial unique index): a name held by one organisation cannot be
-- granted to another until that grant is revoked.
CREATE TABLE registry.grants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  org text NOT NULL CHECK (org ~ '^[a-z][a-z0-9-]{0,62}$'),
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  revoked_by text,
  revoked_at timestamptz,
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX grants_one_live_grant_per_name ON registry.grants (name) WHERE revoked_at IS NULL;
CREATE INDEX grants_live_by_org ON registry.grants (org) WHERE revoked_at IS NULL;
