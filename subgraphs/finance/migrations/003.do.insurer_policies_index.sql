-- An insurer lists the policies it underwrote, newest purchase first: policies of its products.
CREATE INDEX insurance_policies_product_idx ON finance.insurance_policies (product_id, purchased_at DESC, id DESC);
