-- Charging points and the network (partner organisation) that operates each. A charging session is
-- recorded on one charger, and only its operator's partners may record it: the network that billed a
-- session is the charger's, never whatever the caller claims.
CREATE TABLE energy.chargers (
  id           text PRIMARY KEY,
  -- The charging network (partner organisation) operating the charger, e.g. `state-grid`.
  network_org  text NOT NULL,
  name         text NOT NULL,
  city         text NOT NULL,
  address      text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
-- Public listing pages by (name, id), optionally of one network.
CREATE INDEX chargers_name_idx ON energy.chargers (name, id);
CREATE INDEX chargers_network_name_idx ON energy.chargers (network_org, name, id);

-- The charger a session was recorded on. Sessions recorded before chargers existed have none (their
-- network and location are what was recorded then).
ALTER TABLE energy.charging_sessions ADD COLUMN charger_id text REFERENCES energy.chargers (id);
