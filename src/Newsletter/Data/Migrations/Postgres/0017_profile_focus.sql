-- PostgreSQL twin of Sqlite/0017_profile_focus.sql: a profile's focus, 'broad' (as before) or 'focused'.
ALTER TABLE profiles ADD COLUMN focus TEXT NOT NULL DEFAULT 'broad' CHECK (focus IN ('broad', 'focused'));
