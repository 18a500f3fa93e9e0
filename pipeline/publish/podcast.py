"""``SITE/podcast.xml``: the cycle as a podcast (RSS 2.0 with the iTunes tags podcast apps
read), one episode per published session that has an audio-only version, newest first.

A feed needs absolute addresses, so it is written only when site.yaml gives the site's
address (``base_url``) and a ``podcast`` section (author, contact)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, time
from email.utils import format_datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pipeline.publish.cycle import PublishedSession
from pipeline.publish.site_config import SiteConfig

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
TIME_ZONE = ZoneInfo("Europe/Paris")
"""The Rencontres' clock: session.yaml's start time is local time."""
FEED = "podcast.xml"


def _address(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + quote(path)


def _duration(seconds: float) -> str:
    total = round(seconds)
    return f"{total // 3600:d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def podcast_feed(
    config: SiteConfig, sessions: list[PublishedSession], cover: str | None = None
) -> str | None:
    """The feed's XML, or None when the site's address or the podcast section is missing.
    ``cover``: the show's image, relative to the site."""
    if not config.base_url or config.podcast is None:
        return None
    ET.register_namespace("itunes", ITUNES)
    ET.register_namespace("atom", ATOM)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = config.title
    ET.SubElement(channel, "link").text = config.base_url
    ET.SubElement(channel, f"{{{ATOM}}}link", {
        "href": _address(config.base_url, FEED), "rel": "self",
        "type": "application/rss+xml"})  # fmt: skip
    if cover:
        ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": _address(config.base_url, cover)})
    ET.SubElement(channel, "description").text = config.introduction or config.title
    ET.SubElement(channel, "language").text = "fr"
    ET.SubElement(channel, f"{{{ITUNES}}}author").text = config.podcast.author
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": config.podcast.category})
    ET.SubElement(channel, f"{{{ITUNES}}}explicit").text = "false"
    if config.podcast.email:
        owner = ET.SubElement(channel, f"{{{ITUNES}}}owner")
        ET.SubElement(owner, f"{{{ITUNES}}}name").text = config.podcast.author
        ET.SubElement(owner, f"{{{ITUNES}}}email").text = config.podcast.email
    for session in sessions:
        full = next((f for f in session.manifest.films if f.name == "full"), None)
        if full is None or full.listening is None:
            continue
        m = session.manifest
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = m.title
        page = _address(config.base_url, f"{session.folder}/")
        ET.SubElement(item, "link").text = page
        people = ", ".join(p.name for p in session.people)
        summary = " – ".join(x for x in (m.theme, f"Avec {people}" if people else None) if x)
        ET.SubElement(item, "description").text = summary or m.title
        audio = full.listening.file
        ET.SubElement(item, "enclosure", {
            "url": _address(config.base_url, f"{session.folder}/{audio.path}"),
            "length": str(audio.bytes), "type": "audio/mp4"})  # fmt: skip
        # the episode's identity is the session's, not its file's: a new chapter title or
        # ffmpeg version rewrites the audio, and apps must not see a new episode
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = f"{m.slug}-full"
        start = time.fromisoformat(m.start_time) if m.start_time else time(18, 30)
        moment = datetime.combine(m.date, start, tzinfo=TIME_ZONE)
        ET.SubElement(item, "pubDate").text = format_datetime(moment)
        ET.SubElement(item, f"{{{ITUNES}}}duration").text = _duration(full.duration_s)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"
