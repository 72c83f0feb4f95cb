-- Outbound mail taken by a node names it, so a node that stops or is found dead gives its mail back at once rather
-- than when the lease runs out (the lease stays, for mail no node is named on).
ALTER TABLE outbound_mail ADD COLUMN claimed_by bigint NULL REFERENCES nodes (id);
CREATE INDEX outbound_mail_claimed_by ON outbound_mail (claimed_by) WHERE claimed_by IS NOT NULL;
