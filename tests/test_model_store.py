"""The offline Whisper base model: found in its packages, rebuilt once, checked, loaded."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from pipeline.transcription.model_store import (
    MANIFEST,
    ModelError,
    PackagedFile,
    PackagedModel,
    find_packaged_models,
    prepare_packaged_model,
)


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def base_model() -> PackagedModel:
    models = [m for m in find_packaged_models() if m.name == "base"]
    assert models, "the base model package is installed by `make setup` (model-base extra)"
    return models[0]


@pytest.fixture(scope="module")
def rebuilt(base_model: PackagedModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_packaged_model(base_model, tmp_path_factory.mktemp("cache"))


def test_the_installed_halves_are_found_in_order(base_model: PackagedModel) -> None:
    assert [p.path.name for p in base_model.parts] == ["model.bin.part1", "model.bin.part2"]
    assert {f.path.name for f in base_model.support} >= {"config.json", "tokenizer.json"}
    assert base_model.size == sum(p.path.stat().st_size for p in base_model.parts)


@pytest.mark.slow
def test_rebuilt_once_from_the_parts_and_reused(base_model, rebuilt, tmp_path) -> None:
    model_bin = rebuilt / "model.bin"
    assert model_bin.stat().st_size == base_model.size
    manifest = json.loads((rebuilt / MANIFEST).read_text())
    assert manifest["sha256"] == _sha256(*(p.path for p in base_model.parts))
    assert _sha256(model_bin) == manifest["sha256"]
    before = model_bin.stat().st_mtime_ns
    assert prepare_packaged_model(base_model, rebuilt.parent) == rebuilt
    assert model_bin.stat().st_mtime_ns == before, "a valid cache must be reused, not rebuilt"


@pytest.mark.slow
def test_a_damaged_cache_is_rebuilt(base_model, tmp_path) -> None:
    folder = prepare_packaged_model(base_model, tmp_path)
    with (folder / "model.bin").open("r+b") as handle:
        handle.truncate(1000)
    assert prepare_packaged_model(base_model, tmp_path) == folder
    assert (folder / "model.bin").stat().st_size == base_model.size
    with (folder / "model.bin").open("r+b") as handle:  # same size, one byte changed
        handle.seek(12345)
        byte = handle.read(1)
        handle.seek(12345)
        handle.write(bytes([byte[0] ^ 0xFF]))
    prepare_packaged_model(base_model, tmp_path, verify=True)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert _sha256(folder / "model.bin") == manifest["sha256"]


def test_a_part_that_does_not_match_its_record_is_refused(tmp_path: Path) -> None:
    parts = []
    for index, content in enumerate((b"first half", b"second half"), start=1):
        path = tmp_path / f"model.bin.part{index}"
        path.write_bytes(content)
        parts.append(PackagedFile(path, len(content), hashlib.sha256(content).hexdigest()))
    config = tmp_path / "config.json"
    config.write_text("{}")
    support = (PackagedFile(config, 2, hashlib.sha256(b"{}").hexdigest()),)
    model = PackagedModel("tiny", ("a", "b"), tuple(parts), support)
    folder = prepare_packaged_model(model, tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == b"first halfsecond half"
    parts[1].path.write_bytes(b"second hal!")  # same size, other bytes: a damaged install
    os.utime(parts[1].path)
    damaged = PackagedModel("tiny", ("a", "b"), tuple(parts), support)
    with pytest.raises(ModelError, match="does not match the hash") as caught:
        prepare_packaged_model(damaged, tmp_path / "other-cache")
    assert "make setup" in str(caught.value)


@pytest.mark.slow
def test_the_rebuilt_model_loads_and_understands_french(rebuilt, tiny_sample) -> None:
    """The real loading and decoding path of faster-whisper on the rebuilt model."""
    from faster_whisper import WhisperModel

    from pipeline.samples.audio import read_wav_mono

    model = WhisperModel(str(rebuilt), device="cpu", compute_type="int8")
    recorder = next(d for d in tiny_sample.truth.devices if d.camera == "recorder")
    wav = tiny_sample.root / "mono16k.wav"
    from conftest import ffmpeg

    ffmpeg(
        "-i",
        tiny_sample.root / recorder.files[0].path,
        "-ac",
        "1",
        "-ar",
        "16000",
        "-c:a",
        "pcm_s16le",
        wav,
    )
    audio, _ = read_wav_mono(wav)
    line = tiny_sample.truth.script[1]  # "Sur ma ferme, nous vendons tout à moins de..."
    clip = audio[int((line.start - 0.3) * 16000) : int((line.end + 0.3) * 16000)]
    segments, info = model.transcribe(clip, language="fr", beam_size=1)
    heard = set(re.findall(r"\w+", " ".join(s.text for s in segments).lower()))
    said = set(re.findall(r"\w+", line.text.lower()))
    assert info.language == "fr"
    # synthetic espeak speech and the small base model: many words, not all (the word
    # error rate is measured by the transcription stage, against the raw engine)
    assert len(heard & said) >= 0.4 * len(said), (heard, said)
