-- Pages of a day's subscribers (#22), each named by its first subscriber id, taken by the node that plans it: nodes
-- running the same day split the matching instead of each matching everyone. A page is only a hint: the outbox's
-- unique key still decides what is owed, and each node's last pass plans whoever is left unplanned on the pages it
-- did not do itself (a page whose node stopped, or is still at it).
CREATE TABLE plan_pages (
    digest_date TEXT NOT NULL,
    first_id    TEXT NOT NULL,
    taken_by    TEXT NOT NULL,
    taken_at    TEXT NOT NULL,
    PRIMARY KEY (digest_date, first_id)
);

