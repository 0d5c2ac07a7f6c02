-- PostgreSQL twin of Sqlite/0016_digest_frequency.sql.
-- How often a subscriber gets a digest (issue 21): every listing day, on weekdays, or once a week on a weekday, at
-- their send hour in their time zone. A digest covers every listing day since the subscriber's last one; it is still
-- identified by its newest listing day (digest_date), and first_day keeps the oldest it covers (NULL: that day alone,
-- as every digest before this migration), for its subject and header ("9–11 Mar").
ALTER TABLE subscribers ADD COLUMN frequency TEXT NOT NULL DEFAULT 'daily' CHECK (frequency IN ('daily', 'weekdays', 'weekly'));
ALTER TABLE subscribers ADD COLUMN weekday TEXT NOT NULL DEFAULT 'monday'
    CHECK (weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'));
ALTER TABLE deliveries ADD COLUMN first_day TEXT;
