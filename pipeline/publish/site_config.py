"""``site.yaml``: what the cycle's mini-site says about the cycle itself (its home page, legal
notice, accessibility statement, contact, partners, documents), read from the cycle folder,
the folder that holds the session folders. Without one, the site says only what the
sessions say, and the legal pages say what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.core.errors import ConfigError, Problem
from pipeline.core.validation import format_location, validate_loaded
from pipeline.core.yamlio import load_yaml
from pipeline.publish.attachments import DOCUMENT_TYPES, PHOTO_TYPES
from pipeline.session.folder import resolve_inside

SITE_FILE = "site.yaml"
DEFAULT_TITLE = "Les Rencontres de la Métropole"

Text = Annotated[str, Field(min_length=1, max_length=5000)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Partner(_Model):
    name: Text
    url: Url | None = None
    logo: str | None = None
    """An image inside the cycle folder."""


class CycleDocument(_Model):
    title: Text
    path: Text
    """Inside the cycle folder."""


class CycleLink(_Model):
    title: Text
    url: Url


class Contact(_Model):
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    address: str | None = None
    phone: str | None = None


class Host(_Model):
    name: Text
    address: str | None = None
    phone: str | None = None


class Legal(_Model):
    """The legal notice every French public site carries (LCEN art. 6)."""

    publisher: Text
    """The body that publishes the site, with its address."""
    director: Text
    """The director of publication (a person, by name or office)."""
    host: Host
    licence: str | None = None


class Accessibility(_Model):
    """The RGAA accessibility statement's fields (its model: the DINUM's)."""

    status: Literal["totalement conforme", "partiellement conforme", "non conforme"] = (
        "non conforme"
    )
    """Anything but "non conforme" needs an audit (``audit_date``)."""
    audit_date: str | None = None
    audited_by: str | None = None
    compliance_rate: Annotated[float, Field(ge=0, le=100)] | None = None
    non_compliant: list[Text] = []
    exempt: list[Text] = []
    statement_date: str | None = None
    plan_url: Url | None = None
    """The body's multi-year accessibility plan (schéma pluriannuel)."""

    @model_validator(mode="after")
    def _audited(self) -> Accessibility:
        if self.status != "non conforme" and not self.audit_date:
            raise ValueError(f"a site {self.status} says when it was audited: give audit_date")
        return self


class Podcast(_Model):
    author: Text
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    category: Literal["Society & Culture", "Government", "News", "Education"] = "Government"
    image: str | None = None
    """The show's square cover inside the cycle folder (JPEG or PNG, 1400 to 3000 px): podcast
    directories refuse a feed without one."""


class SiteConfig(_Model):
    title: Text = DEFAULT_TITLE
    introduction: str | None = None
    """Plain text; a blank line starts a new paragraph."""
    base_url: Url | None = None
    """The site's address once published (sitemap, podcast feed, social previews)."""
    themes: list[Text] = []
    partners: list[Partner] = []
    documents: list[CycleDocument] = []
    links: list[CycleLink] = []
    contact: Contact = Contact()
    legal: Legal | None = None
    accessibility: Accessibility = Accessibility()
    podcast: Podcast | None = None

    def cycle_paths(self) -> list[tuple[tuple[str | int, ...], str]]:
        found: list[tuple[tuple[str | int, ...], str]] = [
            (("documents", i, "path"), d.path) for i, d in enumerate(self.documents)
        ]
        found += [(("partners", i, "logo"), p.logo) for i, p in enumerate(self.partners) if p.logo]
        if self.podcast and self.podcast.image:
            found.append((("podcast", "image"), self.podcast.image))
        return found


def find_site_config(cycle: Path) -> SiteConfig | None:
    """``cycle/site.yaml`` checked, or None when the cycle folder has none."""
    return load_site_config(cycle) if (cycle / SITE_FILE).is_file() else None


def load_site_config(cycle: Path) -> SiteConfig:
    """``cycle/site.yaml``, checked (every problem with its line; paths stay inside the
    cycle folder and exist); the defaults when there is none."""
    path = cycle / SITE_FILE
    if not path.is_file():
        return SiteConfig()
    loaded = load_yaml(path)
    if not isinstance(loaded.data, dict):
        raise ConfigError([Problem(path, 1, None, "must be a mapping of keys to values")])
    config = validate_loaded(loaded, SiteConfig)
    problems = []
    for location, relative in config.cycle_paths():
        try:
            found = resolve_inside(cycle, relative)
        except ValueError as exc:
            problems.append(Problem(path, loaded.line_of(location), format_location(location),
                                    f"{relative!r} {exc}"))  # fmt: skip
            continue
        allowed = DOCUMENT_TYPES if location[0] == "documents" else PHOTO_TYPES
        if not found.is_file():
            problems.append(Problem(path, loaded.line_of(location), format_location(location),
                                    f"{relative!r} is not a file in {cycle}"))  # fmt: skip
        elif found.suffix.lower() not in allowed:
            kind = found.suffix or "no extension"
            problems.append(Problem(path, loaded.line_of(location), format_location(location),
                                    f"{relative!r}: {kind} files are not published "
                                    f"(use {', '.join(sorted(allowed))})"))  # fmt: skip
    if problems:
        raise ConfigError(problems)
    return config
