"""Access control for views.

Every view carries exactly one of `public`, `login_required` or `role_required`. They tag the view
function, and a test walks the URL map and fails on any endpoint without a tag, so a new page cannot
ship unguarded by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from flask_login import login_required as _flask_login_required

from training.org.models import Person, Role, Unit
from training.org.people import get_person_in_scope, get_unit_in_scope
from training.org.scope import NoScope, Scope, scope_of

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "khien_access"


def public(view: F) -> F:
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def login_required(view: F) -> F:
    wrapped: F = _flask_login_required(view)
    setattr(wrapped, ACCESS_ATTRIBUTE, "login")
    return wrapped


def role_required(*roles: Role) -> Callable[[F], F]:
    """Anonymous visitors are sent to sign in; a signed-in person without the role gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped: F = _flask_login_required(guarded)
        setattr(wrapped, ACCESS_ATTRIBUTE, tuple(roles))
        return wrapped

    return decorator


MANAGERS = (Role.UNIT_OFFICER, Role.ICT_ADMIN)


def current_person() -> Person:
    person: Person = current_user._get_current_object()
    return person


def current_scope() -> Scope:
    try:
        return scope_of(current_person())
    except NoScope:
        abort(403)


def get_person_in_scope_or_404(person_id: int) -> Person:
    person = get_person_in_scope(current_scope(), person_id)
    if person is None:
        abort(404)
    return person


def get_unit_in_scope_or_404(unit_id: int) -> Unit:
    unit = get_unit_in_scope(current_scope(), unit_id)
    if unit is None:
        abort(404)
    return unit
