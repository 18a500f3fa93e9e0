"""``capture init``: a new session folder with a commented session.yaml and cue templates."""

from __future__ import annotations

import json
from datetime import date as Date
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.validation import validate_loaded
from pipeline.core.yamlio import parse_yaml_text
from pipeline.session import LoadedSession, Session, SessionFolder, load_session, slugify

SESSION_TEMPLATE = """\
# session.yaml - one Rencontre. Edit freely; `capture` checks it before every step.
# Paths (documents, photos, logos, poster) are relative to this folder and must stay inside it.
# Sources (camera cards) may be anywhere: capture only ever reads them.

slug: {slug}
title: {title}
# theme: "Alimentation et agriculture de proximité"
date: {date}
# start_time: "18:30"
{place_line}
language: fr

# facilitator:
#   name: Claire Martin
#   role: animatrice
#   organisation: Agence d'urbanisme
speakers: []
#   - name: Jacques Dubois
#     role: maraîcher
#     organisation: Ferme des Trois Rivières
#     channel: 1            # track of a multitrack recorder with this speaker's microphone

cameras:
  - {{name: A, role: wide, label: Plan large}}
  - {{name: B, role: close, label: Plan serré}}
  - {{name: recorder, role: recorder, label: Enregistreur}}
  # offset: 12.5   # manual sync offset (seconds on the session clock), overrides audio sync

sources: []
#   - {{path: /media/CARD_A, camera: A}}
#   - {{path: /media/CARD_B, camera: B}}
#   - {{path: /media/ZOOM, camera: recorder}}

glossary:                   # given to the transcription model in every window
  names: []                 # speakers, elected officials...
  places: []
  acronyms: []              # PAT, SCoT, AMAP...
  terms: []

credits:
  publisher: null           # e.g. "Métropole - Direction de la prospective"
  funding: null             # funding mention shown in the credits and on the site
  production: null
  photo_credits: null
  legal: null

links: []
#   - {{title: Le cycle des Rencontres, url: "https://example.org/rencontres"}}
documents: []
#   - {{title: Programme de la soirée, path: documents/programme.pdf}}
photos: []
#   - {{path: photos/salle.jpg, caption: La salle, credit: Service communication}}
logos: []
#   - logos/metropole.png
# poster: photos/poster.jpg  # otherwise chosen automatically
"""

CUES_TEMPLATE = """\
# Cue list for the {what}. Times are on the session clock: "HH:MM:SS.mmm", "HH:MM:SS:FF"
# or seconds; a clip may also start and end on a quote from the transcript (from:/to:).
clips: []
#   - {{in: "00:01:05.000", out: "00:12:40.000", camera: A}}
#   - {{from: "Bonsoir à toutes et à tous", to: "la prochaine Rencontre", camera: B}}
"""


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML; newlines stay escaped)."""
    return json.dumps(text, ensure_ascii=False)


def scaffold_folders(root: Path) -> SessionFolder:
    session_folder = SessionFolder(root)
    for folder in session_folder.folders():
        folder.mkdir(parents=True, exist_ok=True)
    return session_folder


def init_session(
    root: Path,
    *,
    title: str,
    date: Date,
    place: str | None = None,
    slug: str | None = None,
) -> LoadedSession:
    """Create ``root`` with session.yaml and empty cue lists; never overwrites a file."""
    session_folder = SessionFolder(root)
    if session_folder.session_file.exists():
        raise ConfigError(
            f"{session_folder.session_file} already exists; capture init never overwrites"
        )
    slug = slug or slugify(f"{title} {date:%Y-%m-%d}")
    if not slug:
        raise ConfigError("cannot make a slug from the title; pass --slug")
    place_line = f"place: {_yaml_string(place)}" if place else '# place: "Salle du Conseil"'
    text = SESSION_TEMPLATE.format(
        slug=slug, title=_yaml_string(title), date=date.isoformat(), place_line=place_line
    )
    # check the file before writing anything, so a bad --slug leaves no folder behind
    validate_loaded(parse_yaml_text(text, session_folder.session_file), Session)
    scaffold_folders(root)
    for name, what in (("full", "full version (version intégrale)"), ("highlights", "highlights")):
        cue_file = session_folder.cue_list(name)
        if not cue_file.exists():
            atomic_write_text(cue_file, CUES_TEMPLATE.format(what=what))
    atomic_write_text(session_folder.session_file, text)
    return load_session(root)
