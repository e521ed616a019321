-- The people orders knows, and the pseudonym each one has for analysts. Analysts address a person by
-- pseudonym only, and a pseudonym is a keyed HMAC that cannot be reversed: going from one back to the
-- person needs this index. `pseudonym` is written by the subgraph (the key lives in its environment,
-- not in the database); `pseudonym_key_id` names the key it was made with, so rows made with an older
-- AUTOGRAPH_PSEUDONYM_KEY are recomputed instead of silently never matching.
CREATE TABLE orders.users (
  id                text PRIMARY KEY,
  pseudonym         text,
  pseudonym_key_id  text,
  first_seen_at     timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE UNIQUE INDEX users_pseudonym_idx ON orders.users (pseudonym);
-- Rows a trigger just added and the subgraph has not given a pseudonym yet.
CREATE INDEX users_without_pseudonym_idx ON orders.users (id) WHERE pseudonym IS NULL;

-- A person exists once they have anything in orders; every writer (mutations, seeds, tests) goes
-- through these triggers, so nobody can be left out of the index.
CREATE FUNCTION orders.register_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO orders.users (id) SELECT DISTINCT user_id FROM new_rows ON CONFLICT (id) DO NOTHING;
  RETURN NULL;
END $$;
-- Once per statement, so a seed's bulk insert registers its users in one INSERT.
CREATE TRIGGER orders_register_users AFTER INSERT ON orders.orders
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION orders.register_users();
CREATE TRIGGER test_drives_register_users AFTER INSERT ON orders.test_drives
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION orders.register_users();
CREATE TRIGGER trade_ins_register_users AFTER INSERT ON orders.trade_ins
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION orders.register_users();

INSERT INTO orders.users (id)
  SELECT user_id FROM orders.orders UNION SELECT user_id FROM orders.test_drives UNION SELECT user_id FROM orders.trade_ins
  ON CONFLICT (id) DO NOTHING;
