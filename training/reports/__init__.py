"""Coverage statistics: who is trained, as of any day, counted over the unit tree as it stood then.

Aggregated in SQL (`coverage`), shaped in pandas, written to CSV, JSON and XLSX (`exports`),
frozen for inspections (`snapshots`), summed up for the People's Committee once a year
(`annual`), and run in the background when long (`jobs`)."""
