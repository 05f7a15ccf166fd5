"""Which lessons and questions teach each clause of the directive, computed from the files.

The table answers the province's question "is every duty the directive gives our staff actually
taught and tested?" without anyone keeping a list by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from training.content.catalog import Catalog
from training.sources.clauses import Clause


@dataclass
class ClauseCoverage:
    clause: Clause
    lessons: list[str] = field(default_factory=list)  # "course/NN-name"
    questions: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        """A required clause must be both taught and tested."""
        return self.clause.required and not (self.lessons and self.questions)


def coverage(catalog: Catalog) -> list[ClauseCoverage]:
    rows = {cid: ClauseCoverage(clause) for cid, clause in catalog.clauses.items()}
    for course in catalog.courses:
        for lesson in course.lessons:
            for cid in lesson.clauses:
                rows[cid].lessons.append(f"{course.slug}/{lesson.key}")
    for quiz in catalog.quizzes:
        for question in quiz.questions:
            for cid in question.clauses:
                rows[cid].questions.append(question.id)
    return list(rows.values())


def markdown_table(rows: list[ClauseCoverage], lang: str = "en") -> str:
    lines = ["| clause | required | lessons | questions | text |", "|---|---|---|---|---|"]
    for row in rows:
        flag = "yes" if row.clause.required else ""
        if row.is_gap:
            flag = "**MISSING**"
        lines.append(
            f"| {row.clause.id} | {flag} | {len(row.lessons)}: {', '.join(row.lessons)} | "
            f"{len(row.questions)}: {', '.join(row.questions)} | {row.clause.text(lang)} |"
        )
    return "\n".join(lines)
