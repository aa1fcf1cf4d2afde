"""How the mock words a user's mistake, in every surface (flags, variables, the pytest marker,
ini lines, scenario YAML, the control plane, the CLI): the error first, then what is allowed,
the nearest valid name, and the fix. One wording, so a user learns to read it once.

    unknown scenario 'copyright_violation'; did you mean 'copyright-violation'?; allowed:
    audio-conflict, copyright-violation, ...; fix: use one of these names, or a .yaml path
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ALLOWED_SHOWN", "allowed", "did_you_mean", "mistake", "nearest"]

ALLOWED_SHOWN = 12
"""Valid names listed in a message before it says how many more there are."""


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The valid name closest to `word` (a typo, another separator, other case), or None."""
    names = list(choices)
    if not isinstance(word, str) or not names:
        return None
    folded = {name.lower().replace("-", "_"): name for name in names}
    key = word.lower().replace("-", "_")
    if key in folded and folded[key] != word:
        return folded[key]
    import difflib  # only a mistake is matched: its import compiles a pattern (about 3 ms)

    found = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`"; did you mean 'x'?"`, or `""` when no valid name is near."""
    close = nearest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


def allowed(choices: Iterable[str], *, limit: int = ALLOWED_SHOWN) -> str:
    """The valid names, at most `limit` of them (a long list buries the one that matters)."""
    names = list(choices)
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def mistake(
    error: str,
    *,
    got: str | None = None,
    choices: Iterable[str] = (),
    fix: str | None = None,
    limit: int = ALLOWED_SHOWN,
) -> str:
    """One message: `error`, the nearest valid name to `got`, what is allowed, the fix."""
    names = list(choices)
    text = error + (did_you_mean(got, names) if got is not None else "")
    tail = [f"allowed: {allowed(names, limit=limit)}"] if names else []
    if fix:
        tail.append(f"fix: {fix}")
    return "; ".join([text, *tail])
