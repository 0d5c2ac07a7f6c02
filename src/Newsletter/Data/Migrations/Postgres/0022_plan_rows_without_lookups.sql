-- Planning and sending a million digests on PostgreSQL (#22). Figures: 100,000 subscribers, one node, measured
-- with pg_stat_statements (statement time) and the server processes' CPU time.

-- A day's plan writes ~9 delivery_papers rows a digest (about 9 million for a million subscribers). Each foreign
-- key of such a row is a query and a row lock (FOR KEY SHARE) on the row it refers to: the plan's writers, several
-- at once, kept locking the same hundred paper rows. Without the two checks the match phase took 16.5 s against
-- 21.8 s, and the server's CPU time in it fell by about 40 %. The rows are written only by DigestPlans' insert, in
-- the transaction that adds their delivery, for papers read from the papers table; deliveries and papers are never
-- deleted, so the checks never found anything and the cascade never ran. SQLite keeps both: there they are lookups
-- in the same process, and dropping them would mean copying the table.
ALTER TABLE delivery_papers DROP CONSTRAINT delivery_papers_delivery_id_fkey;
ALTER TABLE delivery_papers DROP CONSTRAINT delivery_papers_paper_id_fkey;

-- An update that changes no indexed column, with room on the row's page, writes the new version beside the old one
-- and leaves the indexes alone (a "HOT" update). Bulk copies fill pages to the brim, so such updates still wrote an
-- entry into every index. A sender's claim sets only claimed_by and claimed_until: 4.5 s and 118 MB of WAL for
-- 100,000 claims, 1.7 s and 56 MB with half of each new page left free. Planning marks each subscriber's
-- last_planned_day after the day's digests are recorded, the server alone busy: 1.8 s and 87 MB for 100,000,
-- 0.26 s and 12 MB with the room (96 % of them HOT). The tables take about twice the space; pages written before this
-- migration keep their packing until rewritten (VACUUM FULL).
ALTER TABLE deliveries SET (fillfactor = 50);
ALTER TABLE subscribers SET (fillfactor = 50);
