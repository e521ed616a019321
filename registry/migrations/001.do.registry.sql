-- The schema registry's durable history. Nothing is ever deleted: a publish adds a version, a removal adds a
-- 'removed' event for the name, and the current supergraph moves to the one that change produced.

-- Every supergraph the registry composed; its id is the sha-256 of its SDL (Apollo Gateway's composition id).
CREATE TABLE registry.supergraphs (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  sdl text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

-- Every version of every subgraph name, numbered 1, 2, … per name. A 'published' version carries the SDL and
-- routing URL; a 'removed' event carries neither. `supergraph_id` is the supergraph the change produced.
CREATE TABLE registry.subgraph_versions (
  name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  version integer NOT NULL CHECK (version >= 1),
  kind text NOT NULL CHECK (kind IN ('published', 'removed')),
  routing_url text,
  sdl text,
  publisher text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  supergraph_id text REFERENCES registry.supergraphs (id),
  PRIMARY KEY (name, version),
  CHECK ((kind = 'published') = (routing_url IS NOT NULL AND sdl IS NOT NULL))
);

-- The supergraph gateways should serve: one row, moved by every change that composes.
CREATE TABLE registry.current_supergraph (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  supergraph_id text NOT NULL REFERENCES registry.supergraphs (id),
  since timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
