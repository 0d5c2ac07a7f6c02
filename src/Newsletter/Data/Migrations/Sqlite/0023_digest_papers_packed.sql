-- A digest's papers in one row (digest_papers.papers: JSON [{"paper", "score", "matched", "title", "summary"}, …] in
-- digest order) instead of one delivery_papers row per paper. A day's plan for a million subscribers wrote about eight
-- million of those rows, each with two index entries, and the send read them back one by one. Who already had a paper
-- is now found from the subscriber's earlier digests (deliveries' key starts with subscriber and day), not from an
-- index by paper. A row whose stored JSON was damaged keeps its text as a string: that digest reports itself
-- unreadable, as before, and the rest move over.
CREATE TABLE digest_papers (
    delivery_id TEXT PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    papers      TEXT NOT NULL
);

INSERT INTO digest_papers (delivery_id, papers)
SELECT delivery_id,
       json_group_array(json_object(
           'paper', paper_id,
           'score', json(printf('%.17g', score)), -- all its digits: SQLite's own REAL to JSON keeps 15
           'matched', CASE WHEN json_valid(matched) THEN json(matched) ELSE matched END,
           'title', CASE WHEN json_valid(title_spans) THEN json(title_spans) ELSE title_spans END,
           'summary', CASE WHEN json_valid(summary_spans) THEN json(summary_spans) ELSE summary_spans END) ORDER BY rank)
FROM delivery_papers
GROUP BY delivery_id;

DROP TABLE delivery_papers;
