"""The words on the opening title card and the closing credits, from session.yaml."""

from __future__ import annotations

from datetime import date

from pipeline.session import Person, Session
from pipeline.timeline.model import CardLine

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def french_date(day: date) -> str:
    """ "12 mars 2026" ("1er" on the first of the month, as French typography has it)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def _names(people: list[str]) -> str:
    if len(people) < 2:
        return "".join(people)
    return f"{', '.join(people[:-1])} et {people[-1]}"


def _who(person: Person) -> str:
    return f"{person.name} ({person.detail})" if person.detail else person.name


def title_lines(session: Session) -> tuple[CardLine, ...]:
    lines = [CardLine(session.title, 1.5, bold=True)]
    when_where = " – ".join(x for x in (french_date(session.date), session.place) if x)
    lines.append(CardLine(when_where))
    if session.speakers:
        lines.append(CardLine(f"Avec {_names([s.name for s in session.speakers])}", 0.9))
    return tuple(lines)


def credits_lines(session: Session) -> tuple[CardLine, ...]:
    lines = []
    if session.speakers:
        lines.append(CardLine("Intervenants", 1.1, bold=True))
        lines += [CardLine(_who(s), 0.85) for s in session.speakers]
    if session.facilitator:
        lines.append(CardLine(f"Animation\u00a0: {_who(session.facilitator)}", 0.85))
    credits = session.credits
    for text in (credits.production, credits.publisher, credits.funding, credits.legal):
        if text:
            lines.append(CardLine(text, 0.8))
    lines.append(CardLine(f"{session.title} – {french_date(session.date)}", 0.7))
    return tuple(lines)
