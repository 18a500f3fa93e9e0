"""The sample's session folder files: session.yaml, the cue lists, the logo, a photo and the
synthesis, written as a videographer, an editor and the team would."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from pipeline.core.fsutil import atomic_write_text
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.core.yamlio import model_yaml
from pipeline.samples import script as S
from pipeline.samples.truth import Truth
from pipeline.session.cuelist import (
    Card,
    Chapter,
    Clip,
    CueList,
    LowerThird,
    Quote,
    Transition,
    TransitionType,
)
from pipeline.session.model import (
    Camera,
    CameraRole,
    Credits,
    Glossary,
    Link,
    Person,
    Photo,
    Session,
    Source,
    Speaker,
)


def sample_session(debate: S.Debate = S.FOOD, cards: str = "cards") -> Session:
    """session.yaml as the videographer fills it in, built with the session's own model
    (a key the model does not know is an error here, not in the user's first run)."""
    facilitator = debate.cast["facilitator"]
    return Session(
        slug=debate.slug,
        title=debate.title,
        theme=debate.theme,
        date=debate.date,
        start_time=debate.start.strftime("%H:%M"),
        place=debate.place,
        language="fr",
        facilitator=Person(
            name=facilitator.name, role=facilitator.role, organisation=facilitator.organisation
        ),
        speakers=[
            Speaker(name=v.name, role=v.role, organisation=v.organisation)
            for v in (debate.cast[key] for key in debate.speakers)
        ],
        cameras=[
            Camera(name="A", role=CameraRole.WIDE, label="Plan large"),
            Camera(name="B", role=CameraRole.CLOSE, label="Plan serré"),
            Camera(name="recorder", role=CameraRole.RECORDER, label="Enregistreur"),
        ],
        sources=[
            Source(path=f"../{cards}/cam-a", camera="A"),
            Source(path=f"../{cards}/cam-b", camera="B"),
            Source(path=f"../{cards}/recorder", camera="recorder"),
        ],
        glossary=Glossary(
            names=[v.name for v in debate.cast.values() if v.key != "room"],
            places=list(debate.glossary_places),
            acronyms=list(debate.glossary_acronyms),
        ),
        credits=Credits(
            publisher="Métropole - Direction de la prospective",
            funding="Avec le soutien du programme « Territoires en transition »",
            production="Rencontres filmées avec capture",
            photo_credits="Photos : service communication de la Métropole",
        ),
        links=[Link(title="Le cycle des Rencontres", url="https://example.org/rencontres")],
        logos=[LOGO],
        photos=[
            Photo(
                path=PHOTO,
                caption="La salle pendant les échanges",
                credit="Service communication de la Métropole",
            )
        ],  # fmt: skip
    )


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


PHOTO = "photos/salle.jpg"


def write_photo(session: Path) -> None:
    """A stand-in for the photographer's picture, as large as a camera's (2400 px wide: the
    printed restitution scales it down to 300 dpi)."""
    target = session / PHOTO
    target.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=2400x1600", "-frames:v", "1",
                "-q:v", "3", OutputFile(target)], label="drawing the sample photo")  # fmt: skip


def write_synthesis(session: Path, debate: S.Debate) -> None:
    """``restitution.md`` as the team writes it after the Rencontre (Markdown)."""
    names = [debate.cast[key].name for key in debate.speakers]
    text = f"""# Ce qui s'est dit

La Rencontre « {debate.title} » a réuni une centaine de participants ({debate.place}).
**{" et ".join(names)}** ont répondu aux questions de la salle, dans un échange animé par
{debate.cast["facilitator"].name}.

## Les points forts

- des constats partagés sur la situation actuelle ;
- des pistes d'action pour 2040 ;
- des *questions ouvertes*, reprises lors de la séance de clôture.
"""
    atomic_write_text(session / "restitution.md", text)


def _clip(start_s: float, end_s: float, camera: str, transition: Transition | None) -> Clip:
    """A clip by time (``in``/``out`` are the keys an editor writes: Python keywords)."""
    given = {"in": round(start_s, 3), "out": round(end_s, 3), "camera": camera}
    return Clip.model_validate(given | ({"transition": transition} if transition else {}))


def cue_lists(
    truth: Truth, speakers: tuple[str, ...] = S.FOOD.speakers, *, social: bool = False
) -> tuple[CueList, CueList]:
    """Draft cue lists on the session clock, as the editor would start them; ``social``
    marks the quote for social clips."""
    script = truth.script
    start = max(0.0, script[0].start - 0.5)
    end = min(truth.session_duration, script[-1].end + 1.0)
    b = next(d for d in truth.devices if d.camera == "B")
    end = min(end, b.offset + b.duration - 0.1)  # the second clip is camera B's
    middle = max(b.offset + 0.5, script[len(script) // 2].start - 0.3)
    speaking = [line for line in script if line.speaker in speakers]
    full = CueList(
        title_card=Card(duration=4.0),
        credits=Card(duration=5.0),
        clips=[
            _clip(start, middle, "A", None),
            _clip(middle, end, "B", Transition(type=TransitionType.CROSSFADE, duration=0.4)),
        ],
        lower_thirds=[
            LowerThird(at=line.start, speaker=line.name, duration=4.0) for line in speaking[:2]
        ],
        chapters=[Chapter(at=round(start, 3), title="Ouverture")],
    )
    picks = speaking[:2]
    dip = Transition(type=TransitionType.DIP, duration=0.4)
    highlights = CueList(
        title_card=Card(duration=3.0),
        credits=Card(duration=4.0),
        clips=[
            _clip(p.start - 0.2, p.end + 0.3, "A", dip if number else None)
            for number, p in enumerate(picks)
        ],
        quotes=[Quote(at=picks[0].start, text=picks[0].text, speaker=picks[0].name, social=social)],
    )
    return full, highlights


def write_yaml(path: Path, header: str, model: BaseModel) -> None:
    atomic_write_text(path, model_yaml(model, header))
