"""A sample cycle (``capture samples DIR --cycle``): the sample Rencontre, a second shorter
one with other speakers, the closing session announced but not filmed yet, and the
cycle's site.yaml with its programme (a one-page PDF) and a partner's logo, so the demo's
mini-site shows a cycle: its calendar, a search across two debates, speaker pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFont

from pipeline.core.errors import ConfigError
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.progress import ProgressReporter
from pipeline.publish.site_config import (
    SITE_FILE,
    Accessibility,
    Contact,
    CycleDocument,
    CycleLink,
    Host,
    Legal,
    Partner,
    Podcast,
    SiteConfig,
)
from pipeline.samples import script as S
from pipeline.samples.generate import SampleResult, generate_sample
from pipeline.samples.session_files import write_logo, write_yaml
from pipeline.session.model import Person, Session, Speaker, load_session
from pipeline.timeline.text_fit import BOLD_FONT, FONT

CLOSING_SLUG = "cloture-du-cycle"
SYNTHESIS_FOLDER = "synthese-du-cycle"
PROGRAMME = "documents/programme-du-cycle.pdf"
LOGO = "logos/metropole.png"
COVER = "logos/podcast.png"


@dataclass(frozen=True)
class CycleResult:
    root: Path
    sessions: list[SampleResult]
    upcoming: Path


def _programme(target: Path) -> None:
    """The cycle's programme: an A4 page drawn with Pillow and saved as PDF."""
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    title, body = ImageFont.truetype(BOLD_FONT, 56), ImageFont.truetype(FONT, 34)
    draw.text((120, 150), "Les Rencontres de la prospective", font=title, fill="#14213d")
    lines = [f"{d.date:%d/%m/%Y} - {d.title}" for d in (S.FOOD, S.MOBILITY)]
    lines.append("Automne - Séance de clôture du cycle")
    for number, line in enumerate(lines):
        draw.text((120, 320 + 70 * number), line, font=body, fill="#1b1b1b")
    target.parent.mkdir(parents=True, exist_ok=True)
    page.save(target, "PDF", resolution=150.0)


def _cover(target: Path) -> None:
    """The podcast's square cover (podcast apps ask for 1400 to 3000 px)."""
    image = Image.new("RGB", (1400, 1400), "#14213d")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(BOLD_FONT, 120)
    for number, line in enumerate(("Les Rencontres", "de la", "prospective")):
        draw.text((120, 420 + 170 * number), line, font=font, fill="#fdfdfb")
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "PNG")


def site_config() -> SiteConfig:
    return SiteConfig(
        title="Les Rencontres de la prospective",
        introduction=(
            "Quatre fois par an, la Métropole invite chercheurs, praticiens et habitants à "
            "débattre de la métropole de 2040.\n\nChaque Rencontre est filmée et publiée ici en "
            "version intégrale sous-titrée, avec sa transcription et ses temps forts."
        ),
        base_url="https://rencontres.example.org/",
        themes=[S.FOOD.theme, S.MOBILITY.theme],
        partners=[Partner(name="Métropole", url="https://example.org/", logo=LOGO)],
        documents=[CycleDocument(title="Programme du cycle", path=PROGRAMME)],
        links=[CycleLink(title="La démarche prospective", url="https://example.org/prospective")],
        contact=Contact(email="rencontres@example.org", address="1 place de la Métropole"),
        legal=Legal(
            publisher="Métropole, Direction de la prospective, 1 place de la Métropole",
            director="La présidente de la Métropole",
            host=Host(name="Service numérique de la Métropole", address="1 place de la Métropole"),
            licence="Vidéos et transcriptions sous licence CC BY-NC-ND 4.0",
        ),
        accessibility=Accessibility(status="non conforme"),
        podcast=Podcast(
            author="Métropole, Direction de la prospective",
            email="rencontres@example.org",
            image=COVER,
        ),  # fmt: skip
    )


def _synthesis(folder: Path, sessions: list[SampleResult]) -> None:
    """The cycle's synthesis film: a folder with no cameras whose cue list cuts each
    Rencontre's first speaker's first answer, with their lower third and a chapter each."""
    clips, lower_thirds, chapters = [], [], []
    for number, sample in enumerate(sessions):
        name = sample.session.name
        speakers = {p.name for p in load_session(sample.session).session.speakers}
        line = next(x for x in sample.truth.script if x.name in speakers)
        clip = {"session": name, "in": round(line.start - 0.4, 3), "out": round(line.end + 0.4, 3)}
        if number:
            clip["transition"] = {"type": "crossfade", "duration": 0.5}
        clips.append(clip)
        lower_thirds.append({"session": name, "at": round(line.start + 0.3, 3),
                             "speaker": line.name})  # fmt: skip
        chapters.append({"session": name, "at": clip["in"], "title": line.name})
    session = Session(slug=SYNTHESIS_FOLDER, kind="closing",
                      date=max(S.FOOD.date, S.MOBILITY.date),
                      title="Les Rencontres de la prospective : la synthèse du cycle",
                      theme="Synthèse du cycle", place=S.PLACE)  # fmt: skip
    write_yaml(folder / "session.yaml", "# The cycle's synthesis: no cameras, its film cuts "
               "the Rencontres beside it.\n", session)  # fmt: skip
    cues = {"title_card": {"duration": 3.0}, "clips": clips, "lower_thirds": lower_thirds,
            "chapters": chapters, "credits": {"duration": 3.0}}  # fmt: skip
    header = (
        "# The cycle's synthesis film: each clip names a session folder beside this one;\n"
        "# times are seconds on that session's clock. Generated by `capture samples`.\n"
    )
    text = header + yaml.safe_dump(cues, allow_unicode=True, sort_keys=False)
    atomic_write_text(folder / "cues" / "synthesis.yaml", text)


def _closing(today: date) -> Session:
    facilitator = S.CAST["facilitator"]
    return Session(
        slug=CLOSING_SLUG, kind="closing",
        title="Séance de clôture : la métropole de 2040, synthèse du cycle",
        theme="Synthèse du cycle", date=today + timedelta(days=30), start_time="18:30",
        place="Hôtel de la Métropole, salle du Conseil",
        facilitator=Person(name=facilitator.name, role=facilitator.role,
                           organisation=facilitator.organisation),
        speakers=[Speaker(name=S.CAST["geographer"].name, role=S.CAST["geographer"].role),
                  Speaker(name=S.MOBILITY_CAST["engineer"].name,
                          role=S.MOBILITY_CAST["engineer"].role)],
    )  # fmt: skip


def generate_cycle(
    out_dir: Path, *, tiny: bool = False, drift_ppm: float = 80.0, force: bool = False,
    progress: ProgressReporter | None = None, today: date | None = None,
) -> CycleResult:  # fmt: skip
    """Both Rencontres (cards, session folders, truth files), the closing session's
    session.yaml dated 30 days after ``today``, and ``site.yaml``. The cycle's own files
    are replaced only with ``force`` and only in a folder that already holds a sample (its
    truth.json): never a real cycle's site.yaml."""
    own = [out_dir / CLOSING_SLUG / "session.yaml", out_dir / PROGRAMME, out_dir / LOGO,
           out_dir / SITE_FILE, out_dir / SYNTHESIS_FOLDER / "session.yaml"]  # fmt: skip
    existing = [str(path) for path in own if path.exists()]
    if existing and not force:
        raise ConfigError(f"{', '.join(existing)} already exist; use --force to replace the "
                          "sample cycle")  # fmt: skip
    if existing and not (out_dir / "truth.json").is_file():
        raise ConfigError(f"{', '.join(existing)} exist but {out_dir} holds no sample (no "
                          "truth.json); choose an empty folder")  # fmt: skip
    sessions = [generate_sample(out_dir, tiny=tiny, drift_ppm=drift_ppm, force=force,
                                progress=progress, debate=debate)
                for debate in (S.FOOD, S.MOBILITY)]  # fmt: skip
    closing = out_dir / CLOSING_SLUG
    closing.mkdir(exist_ok=True)
    header = "# The closing session, announced on the site before it is filmed.\n"
    write_yaml(closing / "session.yaml", header, _closing(today or date.today()))
    _synthesis(out_dir / SYNTHESIS_FOLDER, sessions)
    _programme(out_dir / PROGRAMME)
    write_logo(out_dir)
    header = "# The cycle's mini-site: what capture publish writes on its home and legal pages.\n"
    _cover(out_dir / COVER)
    write_yaml(out_dir / SITE_FILE, header, site_config())
    return CycleResult(out_dir, sessions, closing)
