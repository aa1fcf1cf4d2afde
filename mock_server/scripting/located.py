"""Where in a YAML file a validation error is, and which keys the place allows.

pydantic locates an error by the path of keys and indexes it took (`delivery.retry_delays[1]`);
a user edits lines. The composed YAML nodes carry the line each key was written on, so walking
the same path through them gives the line to show (`check` says `line 4: stage: unknown key`).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    import yaml

__all__ = ["fields_at", "line_of"]


def _compose(text: str) -> yaml.Node | None:
    import yaml  # only when a scenario file has an error to locate

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:  # the loader reported it already; no line is better than a crash
        return None


def line_of(text: str, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node of `loc` found in `text` (the key's own line for
    a mapping entry), or None."""
    import yaml

    node = _compose(text)
    line: int | None = None
    for part in loc:  # parts that name no node (pydantic's validator tags) are passed over
        if isinstance(node, yaml.MappingNode):
            entry = next(
                (e for e in node.value if isinstance(e[0], yaml.ScalarNode) and e[0].value == part),
                None,
            )
            if entry is not None:
                line, node = entry[0].start_mark.line + 1, entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
    return line


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if found := _model_in(arg):
            return found
    return None


def fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys the mapping at `loc` (a path of keys and indexes from `model`) allows."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part)) if current else None
        current = _model_in(field.annotation) if field else None
        if current is None:
            return []
    return list(current.model_fields) if current else []
