-- Each keyword of a profile as the subscriber typed it, one row each, for the admin search by part of a keyword:
-- profiles.keywords is one JSON text, whose brackets, commas and escapes (a quote is stored as \u0022) a search
-- must not see. Rewritten with the profile, in its transaction; erased with it. Existing profiles are copied in.
CREATE TABLE profile_keywords (
    subscriber_id TEXT NOT NULL REFERENCES profiles (subscriber_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,          -- 0-based, the order typed
    keyword       TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, position)
);
INSERT INTO profile_keywords (subscriber_id, position, keyword)
SELECT p.subscriber_id, k.key, k.value FROM profiles p, json_each(p.keywords) k;

-- ASP.NET data-protection keys (they protect the forms' anti-forgery tokens), in the database so that every node
-- and every restart uses the same ones; each key's XML is encrypted with a key derived from Site:SigningKey.
CREATE TABLE data_protection_keys (
    name       TEXT PRIMARY KEY,             -- the key's friendly name (key-<id>)
    xml        TEXT NOT NULL,
    created_at TEXT NOT NULL
);
