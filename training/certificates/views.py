"""The holder's certificates, printable, and public verification by code."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from training.certificates import services
from training.clock import today_vn
from training.extensions import limiter
from training.org.access import current_person, login_required, public

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.route("/certificates/")
@login_required
def my_certificates() -> ResponseReturnValue:
    return render_template(
        "certificates/list.html",
        rows=services.certificates_of(current_person()),
        lang=str(get_locale()),
        today=today_vn(),
    )


@bp.route("/certificates/<code>")
@login_required
def show_certificate(code: str) -> ResponseReturnValue:
    """Only the holder opens the printable certificate; anyone else gets 404."""
    certificate = services.find_certificate(code)
    if certificate is None or certificate.person_id != current_person().id:
        abort(404)
    return render_template(
        "certificates/certificate.html", cert=certificate, lang=str(get_locale()), today=today_vn()
    )


@bp.route("/verify", methods=["GET"])
@limiter.limit("30 per minute")
@public
def verify_form() -> ResponseReturnValue:
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for(".verify", code=services.normalise_code(code)))
    return render_template(
        "certificates/verify.html", cert=None, code=None, lang=str(get_locale()), today=today_vn()
    )


@bp.route("/verify/<code>")
@limiter.limit("30 per minute")
@public
def verify(code: str) -> ResponseReturnValue:
    """Public, rate limited (codes are not meant to be guessed), and 404 for an unknown code."""
    certificate = services.find_certificate(code)
    status = 200 if certificate is not None else 404
    return render_template(
        "certificates/verify.html",
        cert=certificate,
        code=code,
        lang=str(get_locale()),
        today=today_vn(),
    ), status
