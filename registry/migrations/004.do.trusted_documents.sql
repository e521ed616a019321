-- Trusted documents (README "Trusted documents"): per client app (the `apollographql-client-name` its requests
-- carry), the operations its builds ship, which gateways run by id and, with safelisting, run nothing else of.
-- Publishing is additive: a document once published for a client stays (old installs keep sending its id), so
-- rows are never updated or deleted. Depends only on 001 (the schema `registry`).

-- A client that has published documents: whether it is held to them (safelist) in TRUSTED_DOCUMENTS=per-client.
CREATE TABLE registry.document_clients (
  name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  safelist boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

-- One operation of a client: its id is the SHA-256 hex of its body (checked before it is stored).
CREATE TABLE registry.trusted_documents (
  client text NOT NULL REFERENCES registry.document_clients (name),
  id text NOT NULL CHECK (id ~ '^[0-9a-f]{64}$'),
  operation_name text,
  operation_type text NOT NULL CHECK (operation_type IN ('query', 'mutation', 'subscription')),
  body text NOT NULL,
  published_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (client, id)
);

-- Which organisation's partner keys may publish a client's documents (an admin grants it; admins always may).
-- As for subgraph names (002): at most one live grant per client, revoking stamps it, nothing is deleted.
CREATE TABLE registry.client_grants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client text NOT NULL CHECK (client ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  org text NOT NULL CHECK (org ~ '^[a-z][a-z0-9-]{0,62}$'),
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  revoked_by text,
  revoked_at timestamptz,
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX client_grants_one_live_grant ON registry.client_grants (client) WHERE revoked_at IS NULL;

-- A counter bumped by every change of the documents or a client's safelist flag, in the same transaction:
-- gateways poll GET /v1/documents with If-None-Match "<revision>" and get 304 until it moves.
CREATE TABLE registry.documents_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision bigint NOT NULL
);
INSERT INTO registry.documents_revision (singleton, revision) VALUES (true, 0);
