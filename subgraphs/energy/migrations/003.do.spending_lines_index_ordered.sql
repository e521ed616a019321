-- Spending pages read only the page, not the user's whole history. The view takes the shape orders'
-- 008_spending_lines_index_ordered.sql explains: branches read one table with no WHERE of their own
-- (a branch's condition is folded into its occurred_at, NULL for a row that is not a line, and the
-- view keeps the lines that have a time); what a line takes from another table is a scalar subquery,
-- evaluated only for the lines returned (the foreign keys guarantee the row, as the joins did); and
-- each branch has an index on (user_id, its occurred_at DESC, its line_id COLLATE "C" DESC), on
-- exactly the expressions the branch uses. Charging lines are dated by ended_at, which no index
-- ordered before.
--
-- A plan charge's payer was its subscription's subscriber, found by the join, so no index on charges
-- could order one user's charges. Each charge now keeps its subscriber: a trigger copies it from the
-- subscription on every write (energy writes charges naming only their subscription), and a
-- subscriber changed on the subscription is carried to its charges. Left NULL only for a missing
-- subscription, which the foreign key then refuses with its usual error.
ALTER TABLE energy.subscription_charges ADD COLUMN user_id text;
UPDATE energy.subscription_charges ch SET user_id = sub.user_id FROM energy.battery_subscriptions sub WHERE sub.id = ch.subscription_id;

CREATE FUNCTION energy.charge_subscriber() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.user_id := (SELECT sub.user_id FROM energy.battery_subscriptions sub WHERE sub.id = NEW.subscription_id);
  RETURN NEW;
END $$;
CREATE TRIGGER subscription_charges_subscriber BEFORE INSERT OR UPDATE OF subscription_id, user_id ON energy.subscription_charges
  FOR EACH ROW EXECUTE FUNCTION energy.charge_subscriber();

CREATE FUNCTION energy.subscriber_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE energy.subscription_charges SET user_id = NEW.user_id WHERE subscription_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER battery_subscriptions_subscriber_changed AFTER UPDATE OF user_id ON energy.battery_subscriptions
  FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION energy.subscriber_changed();

CREATE OR REPLACE VIEW energy.spending_lines AS
  SELECT line_id, user_id, occurred_at, category, description, amount_fen, subject_type, subject_id
    FROM (
      SELECT 'energy:swap:' || s.id AS line_id,
             s.user_id,
             CASE WHEN s.fee_fen > 0 THEN s.swapped_at END AS occurred_at,
             'BATTERY_SWAP'::text AS category,
             (SELECT 'Battery swap at ' || st.name FROM energy.swap_stations st WHERE st.id = s.station_id) AS description,
             s.fee_fen AS amount_fen,
             'SwapSession'::text AS subject_type,
             s.id AS subject_id
        FROM energy.swap_sessions s
      UNION ALL
      SELECT 'energy:charging:' || c.id,
             c.user_id,
             CASE WHEN c.fee_fen > 0 THEN c.ended_at END,
             'CHARGING',
             'Charging at ' || c.location,
             c.fee_fen,
             'ChargingSession',
             c.id
        FROM energy.charging_sessions c
      UNION ALL
      SELECT 'energy:subscription-charge:' || ch.id,
             ch.user_id,
             CASE WHEN ch.amount_fen > 0 THEN ch.charged_at END,
             'BATTERY_SUBSCRIPTION',
             (SELECT 'Battery plan ' || p.name || ', ' || ch.period
                FROM energy.battery_subscriptions sub, energy.battery_plans p
               WHERE sub.id = ch.subscription_id AND p.id = sub.plan_id),
             ch.amount_fen,
             'BatterySubscription',
             ch.subscription_id
        FROM energy.subscription_charges ch
    ) lines
   WHERE occurred_at IS NOT NULL;

CREATE INDEX swap_sessions_spending_idx ON energy.swap_sessions
  (user_id, (CASE WHEN fee_fen > 0 THEN swapped_at END) DESC, ('energy:swap:' || id) COLLATE "C" DESC)
  WHERE (CASE WHEN fee_fen > 0 THEN swapped_at END) IS NOT NULL;
CREATE INDEX charging_sessions_spending_idx ON energy.charging_sessions
  (user_id, (CASE WHEN fee_fen > 0 THEN ended_at END) DESC, ('energy:charging:' || id) COLLATE "C" DESC)
  WHERE (CASE WHEN fee_fen > 0 THEN ended_at END) IS NOT NULL;
CREATE INDEX subscription_charges_spending_idx ON energy.subscription_charges
  (user_id, (CASE WHEN amount_fen > 0 THEN charged_at END) DESC, ('energy:subscription-charge:' || id) COLLATE "C" DESC)
  WHERE (CASE WHEN amount_fen > 0 THEN charged_at END) IS NOT NULL;
