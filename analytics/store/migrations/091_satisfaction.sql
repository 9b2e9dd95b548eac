-- 091: the customer's satisfaction with a ticket (issue 18, item 6), where the source has it: a whole score
-- from 1 (very dissatisfied) to 5 (very satisfied); NULL = not surveyed, or surveyed without an answer.
-- A source rating good / bad is stored as 5 / 1 (the Zendesk profile), so "satisfied" (score >= 4) is its
-- good share. Read by analytics/sla/satisfaction.py beside the SLA ledger's verdicts.
ALTER TABLE tickets ADD COLUMN satisfaction SMALLINT;
