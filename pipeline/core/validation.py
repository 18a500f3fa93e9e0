"""Turning pydantic validation errors on a YAML file into ``file:line: field: message``."""

from __future__ import annotations

import difflib
import types
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.core.errors import ConfigError, Problem
from pipeline.core.yamlio import LoadedYaml, Location

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of capture's saved models: an unknown key is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class LocatedError(ValueError):
    """A problem that a check across fields finds at one place: raised in a model validator
    with the place (relative to the model), so the message points at that line, not at the
    top of the model."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location


def format_location(location: Location) -> str:
    """('speakers', 1, 'name') -> 'speakers[1].name'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _inner_model(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (list, Union, types.UnionType):
        for arg in get_args(annotation):
            inner = _inner_model(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
        return None
    return annotation


def _model_holding(root: type[BaseModel], location: Location) -> type[BaseModel] | None:
    """The model whose keys the last part of ``location`` is one of (for 'did you mean')."""
    model: Any = root
    for part in location[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        model = _inner_model(info.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _message(root: type[BaseModel], location: Location, error: dict[str, Any]) -> str:
    kind = error["type"]
    message = str(error["msg"])
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        key = str(location[-1]) if location else "?"
        model = _model_holding(root, location)
        known = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(key, known, n=1)
        if close:
            return f"unknown key {key!r} (did you mean {close[0]!r}?)"
        if known:
            return f"unknown key {key!r} (known keys: {', '.join(known)})"
        return f"unknown key {key!r}"
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def validate_loaded(
    loaded: LoadedYaml, model: type[ModelT], context: dict[str, Any] | None = None
) -> ModelT:
    """Validate YAML data against ``model``; every problem is reported with its line.
    ``context`` is pydantic's validation context, for validators that need more than the
    data."""
    try:
        return model.model_validate(loaded.data, context=context)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = tuple(error["loc"])
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, LocatedError):
                location += cause.location
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line_of(location),
                    format_location(location) or None,
                    _message(model, location, error),
                )
            )
        raise ConfigError(problems) from None
