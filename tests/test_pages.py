"""Every page of the demo province opens, for every role, in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import sign_in
from training.extensions import db
from training.org.demo import DEMO_PASSWORD
from training.org.models import Person, Unit


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("username", ["quantri", "cntt.snv", "hanh.tran"])
def test_every_page_opens(app, demo, username, lang):
    client = app.test_client()
    client.post(f"/language/{lang}")
    sign_in(client, username, DEMO_PASSWORD)
    me = db.session.scalar(select(Person).where(Person.username == username))
    pages = ["/", "/auth/profile", "/courses/", "/certificates/", "/verify"]
    if me.role.value != "learner":
        unit = db.session.get(Unit, me.unit_id)
        person = db.session.scalar(  # a learner in the manager's units: one they may edit
            select(Person)
            .join(Person.unit)
            .where(Unit.path.startswith(unit.path), Person.role == "learner")
            .limit(1)
        )
        pages += [
            "/people",
            "/people?priority=y&status=all",
            "/people/new",
            "/units",
            f"/people/{person.id}",
            f"/people/{person.id}/edit",
            f"/units/{unit.id}",
            "/reports/",
            f"/reports/?unit={unit.id}",
        ]
    if me.role.value == "ict_admin":
        pages += ["/units/new", "/content/", "/reports/targets"]
    pages += ["/courses/foundations", "/courses/foundations/lessons/01-threat"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)
