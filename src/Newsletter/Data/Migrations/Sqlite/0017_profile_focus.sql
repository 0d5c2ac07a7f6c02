-- A profile's focus (issue 21): 'broad' keeps every paper a keyword matches (as before); 'focused' only those a keyword
-- is central to (in the title, twice in the abstract, or by a listing qualifier). Existing profiles stay broad.
ALTER TABLE profiles ADD COLUMN focus TEXT NOT NULL DEFAULT 'broad' CHECK (focus IN ('broad', 'focused'));
