"""Every endpoint declares who may use it; a new page without a guard fails here."""

from __future__ import annotations

from training.org.access import ACCESS_ATTRIBUTE

PUBLIC = {
    "static",
    "auth.login",
    "auth.welcome",  # a first sign-in link: the token in the URL is the credential
    "auth.first_sign_in",  # username and printed code, throttled like passwords
    "site.healthz",
    "site.set_language",
    "certificates.verify",
    "certificates.verify_form",
}


def test_every_endpoint_is_guarded(app):
    unguarded = []
    for endpoint, view in app.view_functions.items():
        access = getattr(view, ACCESS_ATTRIBUTE, None)
        if endpoint == "static":
            continue
        if access is None:
            unguarded.append(endpoint)
        elif access == "public":
            assert endpoint in PUBLIC, f"{endpoint} is public but not on the reviewed list"
    assert unguarded == []


def test_public_endpoints_are_few(app):
    public = {
        e for e, v in app.view_functions.items() if getattr(v, ACCESS_ATTRIBUTE, None) == "public"
    }
    assert public == PUBLIC - {"static"}
