"""The sample's session folder files: session.yaml, the cue lists and the logo, written as a
videographer and an editor would."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.samples import script as S
from pipeline.samples.truth import (
    SESSION_DATE,
    SESSION_START,
    SLUG,
    SampleSize,
    Truth,
)


def session_yaml(size: SampleSize) -> dict:
    speakers = [S.CAST["gardener"], S.CAST["geographer"]]
    return {
        "slug": SLUG,
        "title": S.TITLE,
        "theme": S.THEME,
        "date": SESSION_DATE,
        "start_time": SESSION_START.strftime("%H:%M"),
        "place": S.PLACE,
        "language": "fr",
        "facilitator": {
            "name": S.CAST["facilitator"].name,
            "role": S.CAST["facilitator"].role,
            "organisation": S.CAST["facilitator"].organisation,
        },
        "speakers": [
            {"name": v.name, "role": v.role, "organisation": v.organisation} for v in speakers
        ],
        "cameras": [
            {"name": "A", "role": "wide", "label": "Plan large"},
            {"name": "B", "role": "close", "label": "Plan serré"},
            {"name": "recorder", "role": "recorder", "label": "Enregistreur"},
        ],
        "sources": [
            {"path": "../cards/cam-a", "camera": "A"},
            {"path": "../cards/cam-b", "camera": "B"},
            {"path": "../cards/recorder", "camera": "recorder"},
        ],
        "glossary": {
            "names": [v.name for v in S.CAST.values() if v.key != "room"],
            "places": S.GLOSSARY_PLACES,
            "acronyms": S.GLOSSARY_ACRONYMS,
        },
        "credits": {
            "publisher": "Métropole - Direction de la prospective",
            "funding": "Avec le soutien du programme « Territoires en transition »",
            "production": "Rencontres filmées avec capture",
            "photo_credits": "Photos : service communication de la Métropole",
        },
        "links": [{"title": "Le cycle des Rencontres", "url": "https://example.org/rencontres"}],
        "logos": [LOGO],
    }


LOGO = "logos/metropole.png"


def write_logo(session: Path) -> None:
    """A stand-in for the publisher's logo (shapes only: the sample draws no text)."""
    target = session / LOGO
    target.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-f", "lavfi", "-i", "color=c=0xf5f5f0:size=240x120",
         "-vf", "drawbox=x=20:y=20:w=80:h=80:color=0x2a9d8f:t=fill,"
         "drawbox=x=120:y=35:w=100:h=18:color=0x264653:t=fill,"
         "drawbox=x=120:y=67:w=70:h=18:color=0x264653:t=fill",
         "-frames:v", "1", OutputFile(target)],
        label="drawing the sample logo",
    )  # fmt: skip


def cue_lists(truth: Truth) -> tuple[dict, dict]:
    """Draft cue lists on the session clock (their schema is owned by the editing stage)."""
    script = truth.script
    start = max(0.0, script[0].start - 0.5)
    end = min(truth.session_duration, script[-1].end + 1.0)
    b = next(d for d in truth.devices if d.camera == "B")
    end = min(end, b.offset + b.duration - 0.1)  # the second clip is camera B's
    middle = max(b.offset + 0.5, script[len(script) // 2].start - 0.3)
    full = {
        "title_card": {"duration": 4.0},
        "credits": {"duration": 5.0},
        "clips": [
            {"in": round(start, 3), "out": round(middle, 3), "camera": "A"},
            {
                "in": round(middle, 3),
                "out": round(end, 3),
                "camera": "B",
                "transition": {"type": "crossfade", "duration": 0.4},
            },
        ],
        "lower_thirds": [
            {"at": line.start, "speaker": line.name, "duration": 4.0}
            for line in script
            if line.speaker in ("gardener", "geographer")
        ][:2],
        "chapters": [{"at": round(start, 3), "title": "Ouverture"}],
    }
    picks = [line for line in script if line.speaker in ("gardener", "geographer")][:2]
    highlights = {
        "title_card": {"duration": 3.0},
        "credits": {"duration": 4.0},
        "clips": [
            {
                "in": round(p.start - 0.2, 3),
                "out": round(p.end + 0.3, 3),
                "camera": "A",
                **({"transition": {"type": "dip", "duration": 0.4}} if number else {}),
            }
            for number, p in enumerate(picks)
        ],
        "quotes": [{"at": picks[0].start, "text": picks[0].text}],
    }
    return full, highlights


def dump_yaml(path: Path, header: str, data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    atomic_write_text(path, header + text)
