"""One Rencontre's session: its ``session.yaml`` model and its folder. The names most stages
use are re-exported here (``from pipeline.session import LoadedSession, load_session``); the
lock, the scaffold and the artifacts stages leave live in their own modules."""

from pipeline.session.folder import (
    FILMS,
    LANGUAGE,
    SESSION_FILE,
    SessionFolder,
    check_film,
    resolve_inside,
)
from pipeline.session.model import (
    CAMERA_NAME_PATTERN,
    Camera,
    CameraRole,
    Glossary,
    LoadedSession,
    Person,
    Session,
    Speaker,
    load_session,
    slugify,
)

__all__ = [
    "CAMERA_NAME_PATTERN",
    "FILMS",
    "LANGUAGE",
    "SESSION_FILE",
    "Camera",
    "CameraRole",
    "Glossary",
    "LoadedSession",
    "Person",
    "Session",
    "SessionFolder",
    "Speaker",
    "check_film",
    "load_session",
    "resolve_inside",
    "slugify",
]
