"""Staff rosters: importing a unit's staff list (preview, then all or nothing) and the first
sign-in slips of the people it brings in."""
