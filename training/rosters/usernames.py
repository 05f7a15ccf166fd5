"""Usernames for people a roster brings in: predictable, so an officer can tell a colleague
theirs before the slip is printed, and never taken twice.

The rule (also in the README): fold the full name (lower case, no accents, "đ" → "d", only
a–z and 0–9 kept in each word); take the given name (the last word), a dot, and the first
letter of each other word: "Nguyễn Văn An" → `an.nv`, "Trần Thị Hạnh" → `hanh.tt`. A one-word
name is that word. A result shorter than 3 characters gets "canbo." in front ("Y" →
`canbo.y`; a name with no Latin letter at all → `canbo`). If that is taken — in the database,
or by an earlier row of the same file — the first free of `an.nv2`, `an.nv3`, … is used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select

from training.extensions import db
from training.org.models import Person
from training.text import fold, nfc

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
MAX_BASE = 58  # leaves room for a number within the 64 characters of a username


def username_base(full_name: str) -> str:
    words = [w for w in (_NOT_ALNUM.sub("", w) for w in fold(nfc(full_name)).split()) if w]
    if not words:
        return "canbo"
    base = words[-1]
    if len(words) > 1:
        base += "." + "".join(w[0] for w in words[:-1])
    if len(base) < 3:
        base = f"canbo.{base}"
    return base[:MAX_BASE].rstrip(".")


def derive_usernames(full_names: Sequence[str]) -> list[str]:
    """A free username for each name, in order. Set-based: each round asks the database once
    about every candidate still needed (a round more only for names whose candidates were
    taken), never once per person."""
    bases = [username_base(name) for name in full_names]
    wanted = Counter(bases)
    free: dict[str, list[str]] = {base: [] for base in wanted}
    next_number = dict.fromkeys(wanted, 1)
    claimed: set[str] = set()
    while True:
        candidates: dict[str, str] = {}
        for base, count in wanted.items():
            for _ in range(count - len(free[base])):
                while True:
                    number = next_number[base]
                    next_number[base] += 1
                    name = base if number == 1 else f"{base}{number}"
                    if name not in claimed and name not in candidates:
                        candidates[name] = base
                        break
        if not candidates:
            break
        taken = set(
            db.session.scalars(select(Person.username).where(Person.username.in_(candidates)))
        )
        for name, base in candidates.items():
            if name not in taken:
                free[base].append(name)
                claimed.add(name)
    handed = dict.fromkeys(wanted, 0)
    result = []
    for base in bases:
        result.append(free[base][handed[base]])
        handed[base] += 1
    return result
