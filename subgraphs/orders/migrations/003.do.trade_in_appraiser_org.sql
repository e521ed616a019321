-- A trade-in's value is money the buyer does not pay: whoever appraised it vouches for it. A partner's
-- appraisal may be credited only to an order of that partner's own organisation (the manufacturer it
-- sells for); a platform (admin) appraisal, with no organisation, may be credited to any order.
ALTER TABLE orders.trade_ins ADD COLUMN appraised_by_org text;
