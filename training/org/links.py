"""Links that the domains above org add to org's pages.

A person's page belongs to org, but their training record belongs to assignments, which imports
org and not the other way round. So a domain above adds a link source to the app when its
blueprint is registered (as quizzes add their section to the course page); org's pages ask every
source for the links of a place and show them in the order the sources were added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.sansio.app import App

EXTENSION = "khien.org_links"

PERSON_PAGE = "person"  # source(person=...): the page of one person
PEOPLE_LIST = "people"  # source(): the list of people


@dataclass(frozen=True)
class Link:
    label: str
    url: str


LinkSource = Callable[..., Link | None]


def add_link(app: App, place: str, source: LinkSource) -> None:
    app.extensions.setdefault(EXTENSION, {}).setdefault(place, []).append(source)


def links(app: App, place: str, **context: Any) -> list[Link]:
    found = (source(**context) for source in app.extensions.get(EXTENSION, {}).get(place, []))
    return [link for link in found if link is not None]
