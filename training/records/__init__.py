"""Completions that happen outside the site's quiz: classroom sessions (tập huấn), manual records
by an officer, and completions earned on another platform, with the append-only log of every
such record and revocation. The completions themselves live in `courses`; this domain decides
who may record them and keeps the evidence."""
