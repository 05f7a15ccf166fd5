"""Coverage pages: the dashboard with its drill-down, targets, snapshots and downloads."""

from __future__ import annotations

from training.reports.blueprint import bp

__all__ = ["bp"]
