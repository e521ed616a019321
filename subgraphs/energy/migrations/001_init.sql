-- placeholder until the domain lands
CREATE VIEW energy.spending_lines AS
  SELECT ''::text AS line_id, ''::text AS user_id, now() AS occurred_at, ''::text AS category, ''::text AS description, 0::bigint AS amount_fen, ''::text AS subject_type, ''::text AS subject_id
  WHERE false;
