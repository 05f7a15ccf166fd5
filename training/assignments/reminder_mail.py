"""What a reminder and an officer's digest say, in the reader's language.

Every sentence is translated here, once, inside `force_locale` of the reader (their saved
language, else the site's default, Vietnamese), and both parts of the message, plain text and
HTML, show the same sentences: the templates in `templates/assignments/mail/` only lay them
out. No image, tracking pixel, external resource or unsubscribe link: a reminder of a duty the
directive sets is not a newsletter. Its footer says instead why it comes (the unit, the
directive), who sends it, and that it stops once the courses are done.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_mail import Message

from training.assignments.status import Status
from training.courses.models import Course
from training.i18n import dateformat
from training.mail import queue_mail

if TYPE_CHECKING:  # the planner imports this module to queue its messages
    from training.assignments.reminders import (
        LearnerReminder,
        OfficerDigestPlan,
        OverdueLine,
        Recipient,
        ReminderItem,
    )

# A digest lists at most this many lines; the grid on the site has the rest, with filters.
DIGEST_MAX_LINES = 300
TEXT_WIDTH = 76


def language_of(person: Recipient) -> str:
    languages = current_app.config["LANGUAGES"]
    if person.locale in languages:
        return str(person.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def site_url() -> str:
    """From `KHIEN_BASE_URL`, never from a request's Host header: the daily job has no
    request, and a forged header must not put another site's address into staff mailboxes."""
    return f"{current_app.config['BASE_URL']}/"


def course_url(course: Course) -> str:
    path = current_app.url_map.bind("localhost").build("courses.show_course", {"slug": course.slug})
    return f"{current_app.config['BASE_URL']}{path}"


def _fill(paragraph: str) -> str:
    """Plain-text paragraphs are wrapped for mail readers that do not (RFC 3676 asks for lines
    under 78 characters); the HTML part flows on its own."""
    return textwrap.fill(paragraph, TEXT_WIDTH, break_on_hyphens=False)


def _directive() -> str:
    return _(
        "Directive 288/CT-UBND of the Kiên Giang People's Committee (29/01/2016) requires "
        "every agency to train its staff in network information security; Kiên Giang has "
        "been part of An Giang province since 01/07/2025."
    )


def _sender() -> str:
    return _(
        "Sent by Khiên, the training site of the province's ICT administrators at the "
        "Department of Science and Technology."
    )


def _when(item: ReminderItem) -> str:
    pair = item.pair
    deadline = dateformat(pair.due_on)
    if pair.status == Status.EXPIRED:
        until = dateformat(pair.last_until)
        if pair.due_on >= pair.day:
            return _(
                "Your completion was valid until %(until)s. Take the course again by %(date)s.",
                until=until,
                date=deadline,
            )
        return _("Your completion was valid until %(until)s: take the course again.", until=until)
    days = pair.days_left
    if days < 0:
        return ngettext(
            "Deadline %(date)s: %(num)d day overdue.",
            "Deadline %(date)s: %(num)d days overdue.",
            -days,
            date=deadline,
        )
    if days == 0:
        return _("Deadline %(date)s: due today.", date=deadline)
    return ngettext(
        "Deadline %(date)s: %(num)d day left.",
        "Deadline %(date)s: %(num)d days left.",
        days,
        date=deadline,
    )


def _reminder_subject(reminder: LearnerReminder) -> str:
    if reminder.overdue:
        return ngettext(
            "Khiên: %(num)d course overdue", "Khiên: %(num)d courses overdue", reminder.overdue
        )
    expired = sum(1 for item in reminder.items if item.pair.status == Status.EXPIRED)
    if expired:
        return ngettext(
            "Khiên: %(num)d course to take again", "Khiên: %(num)d courses to take again", expired
        )
    return ngettext(
        "Khiên: %(num)d course due soon", "Khiên: %(num)d courses due soon", len(reminder.items)
    )


def _reminder_context(reminder: LearnerReminder, lang: str) -> dict[str, Any]:
    person, count = reminder.person, len(reminder.items)
    footer = [
        _("You receive this reminder as a member of staff of %(unit)s.", unit=person.unit_name),
        _directive(),
        _sender(),
        _(
            "These reminders stop once the courses are completed. For help, ask your unit's IT "
            "officer."
        ),
    ]
    return {
        "lang": lang,
        "subject": _reminder_subject(reminder),
        "greeting": _("Dear %(name)s,", name=person.full_name),
        "intro": ngettext(
            "This course is required of you and needs your attention:",
            "These courses are required of you and need your attention:",
            count,
        ),
        "items": [
            {
                "title": item.course.title(lang),
                "when": _when(item),
                "late": item.pair.status in (Status.OVERDUE, Status.EXPIRED),
                "url": course_url(item.course),
            }
            for item in reminder.items
        ],
        "closing": ngettext(
            "Sign in to Khiên to take it:", "Sign in to Khiên to take them:", count
        ),
        "site_url": site_url(),
        "footer": footer,
        "footer_text": "\n\n".join(_fill(paragraph) for paragraph in footer),
        "wrap": _fill,
    }


def _digest_people(lines: Sequence[OverdueLine], lang: str) -> list[dict[str, Any]]:
    """The lines come sorted by person (priority first): one entry per person, with their
    overdue courses, so a person late on three courses reads as one name, not three."""
    people: list[dict[str, Any]] = []
    for line in lines:
        if not people or people[-1]["id"] != line.person.id:
            people.append(
                {
                    "id": line.person.id,
                    "name": line.person.full_name,
                    "priority": line.person.is_priority,
                    "no_email": not line.person.email,
                    "unit": line.person.unit_name,
                    "courses": [],
                }
            )
        people[-1]["courses"].append(
            {
                "title": line.course.title(lang),
                "deadline": dateformat(line.due_on),
                "days": line.days_overdue,
                "days_text": ngettext(
                    "%(num)d day overdue", "%(num)d days overdue", line.days_overdue
                ),
            }
        )
    return people


def _digest_context(digest: OfficerDigestPlan, lang: str) -> dict[str, Any]:
    officer, people = digest.officer, digest.people
    shown = digest.lines[:DIGEST_MAX_LINES]
    hidden = len(digest.lines) - len(shown)
    footer = [
        _(
            "You receive this summary as the IT officer of %(unit)s and the units below it.",
            unit=officer.unit_name,
        ),
        _directive(),
        _sender(),
        _("A summary comes each day while someone in your units is overdue."),
    ]
    return {
        "lang": lang,
        "subject": ngettext(
            "Khiên: %(num)d person overdue in your units",
            "Khiên: %(num)d people overdue in your units",
            people,
        ),
        "greeting": _("Dear %(name)s,", name=officer.full_name),
        "intro": ngettext(
            "On %(date)s, %(num)d person in your units is overdue with required training.",
            "On %(date)s, %(num)d people in your units are overdue with required training.",
            people,
            date=dateformat(digest.day),
        ),
        "priority_note": _(
            "Priority staff (D2: drafters of classified documents, staff of key departments) "
            "come first, marked “%(mark)s”.",
            mark=_("priority"),
        ),
        "headings": [_("Name"), _("Unit"), _("Course"), _("Deadline"), _("Days overdue")],
        "priority_mark": _("priority"),
        "no_email_note": _("no e-mail address: not reminded"),
        "people": _digest_people(shown, lang),
        "hidden": (
            ngettext(
                "%(num)d more line is not shown here.",
                "%(num)d more lines are not shown here.",
                hidden,
            )
            if hidden
            else ""
        ),
        "closing": _("The full list, with filters, is on Khiên:"),
        "site_url": site_url(),
        "footer": footer,
        "footer_text": "\n\n".join(_fill(paragraph) for paragraph in footer),
        "wrap": _fill,
    }


def _queue(person: Recipient, template: str, context: dict[str, Any]) -> Message:
    env = current_app.jinja_env
    text = env.get_template(f"assignments/mail/{template}.txt").render(context)
    html = env.get_template(f"assignments/mail/{template}.html").render(context)
    message = queue_mail(to=[str(person.email)], subject=context["subject"], body=text, html=html)
    message.extra_headers = {
        "Content-Language": context["lang"],
        # RFC 3834, and Exchange's own header: no out-of-office replies to a daily reminder.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    return message


def queue_reminder(reminder: LearnerReminder) -> Message:
    """Queued in the session: it leaves after the caller's commit, or never."""
    lang = language_of(reminder.person)
    with force_locale(lang):
        return _queue(reminder.person, "reminder", _reminder_context(reminder, lang))


def queue_digest(digest: OfficerDigestPlan) -> Message:
    lang = language_of(digest.officer)
    with force_locale(lang):
        return _queue(digest.officer, "digest", _digest_context(digest, lang))
