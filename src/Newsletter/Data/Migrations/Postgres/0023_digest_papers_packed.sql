-- A digest's papers in one row (digest_papers.papers: JSON [{"paper", "score", "matched", "title", "summary"}, …] in
-- digest order) instead of one delivery_papers row per paper. A day's plan for a million subscribers wrote about eight
-- million of those rows, each with two index entries, and the send read them back one by one. Who already had a paper
-- is now found from the subscriber's earlier digests (deliveries' key starts with subscriber and day), not from an
-- index by paper. No foreign key, as 0022 dropped delivery_papers' (deliveries are never deleted; only DigestPlans
-- and resends write these rows, in the transaction that adds their delivery). A row whose stored JSON was damaged
-- keeps its text as a string: that digest reports itself unreadable, as before, and the rest move over.
CREATE TABLE digest_papers (
    delivery_id TEXT PRIMARY KEY,
    papers      TEXT NOT NULL
);

CREATE FUNCTION pg_temp.stored_json(value TEXT) RETURNS JSON LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN value::json;
EXCEPTION WHEN others THEN
    RETURN to_json(value);
END
$$;

INSERT INTO digest_papers (delivery_id, papers)
SELECT delivery_id,
       json_agg(json_build_object(
           'paper', paper_id,
           'score', score,
           'matched', pg_temp.stored_json(matched),
           'title', pg_temp.stored_json(title_spans),
           'summary', pg_temp.stored_json(summary_spans)) ORDER BY rank)::text
FROM delivery_papers
GROUP BY delivery_id;

DROP FUNCTION pg_temp.stored_json(TEXT);
DROP TABLE delivery_papers;
