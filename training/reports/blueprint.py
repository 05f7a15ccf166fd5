"""The reports blueprint, shared by the dashboard pages (`views`) and the background-export
pages (`job_views`), so each module holds one kind of page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")
