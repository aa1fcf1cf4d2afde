"""The words the mock writes with: lyric lines, title parts, lyrics titles and voice phrases.

Owned here, not drawn from Faker's locale data, so a seed gives the same bytes whatever
versions are installed (Faker's lists and its methods' draws change between its releases).
Every function takes the caller's seeded `random.Random`; nothing here holds state.
"""

from __future__ import annotations

import random

__all__ = ["CITIES", "COLORS", "FIRST_NAMES", "WORDS", "catch_phrase", "line"]

WORDS = (
    "after", "again", "air", "alone", "always", "angel", "arms", "away", "back", "before",
    "begin", "believe", "blue", "body", "breathe", "bright", "broken", "burn", "call", "city",
    "close", "cold", "come", "dance", "dark", "dawn", "day", "deep", "down", "dream", "drive",
    "edge", "end", "every", "eyes", "fade", "fall", "far", "feel", "fire", "float", "fly",
    "forever", "free", "gold", "gone", "heart", "heavy", "here", "high", "hold", "home", "hope",
    "light", "little", "lost", "love", "low", "midnight", "mind", "morning", "move", "never",
    "night", "now", "ocean", "one", "open", "over", "rain", "ride", "rise", "river", "road",
    "run", "shine", "silver", "sky", "slow", "song", "soul", "stars", "stay", "still", "storm",
    "summer", "sun", "sweet", "take", "tonight", "under", "wait", "wake", "water", "wild",
    "wind", "wings", "with", "world", "young",
)  # fmt: skip
CITIES = (
    "Port Ellery", "North Haven", "Lake Marlow", "East Corbin", "Stonebridge", "Westfall",
    "New Ashby", "South Rowan", "Clearwater", "Fairmont", "Millbrook", "Redcliff", "Oakridge",
    "Bayport", "Silver Springs", "Hollow Creek",
)  # fmt: skip
FIRST_NAMES = (
    "Ava", "Ben", "Clara", "Diego", "Elena", "Felix", "Grace", "Hugo", "Iris", "Jonah", "Kira",
    "Leo", "Maya", "Noah", "Olive", "Pablo", "Quinn", "Rosa", "Sam", "Tessa", "Uma", "Victor",
    "Wren", "Zoe",
)  # fmt: skip
COLORS = (
    "Amber", "Azure", "Coral", "Crimson", "Emerald", "Golden", "Indigo", "Ivory", "Jade",
    "Lavender", "Magenta", "Olive", "Scarlet", "Silver", "Teal", "Violet",
)  # fmt: skip
_PHRASE_ADJECTIVES = (
    "adaptive", "balanced", "bright", "endless", "fearless", "gentle", "golden", "hidden",
    "infinite", "lucky", "quiet", "restless", "secret", "shining", "silent", "wandering",
)  # fmt: skip
_PHRASE_NOUNS = (
    "answer", "balance", "compass", "dream", "engine", "frontier", "harmony", "horizon",
    "journey", "lantern", "memory", "motion", "promise", "signal", "story", "wave",
)  # fmt: skip


def line(draw: random.Random, words: int) -> str:
    """About `words` words (60-140% of it, at least one), the first one capitalised."""
    count = max(1, int(words * draw.randint(60, 140) / 100))
    chosen = draw.choices(WORDS, k=count)
    chosen[0] = chosen[0].title()
    return " ".join(chosen)


def catch_phrase(draw: random.Random) -> str:
    """Two adjectives and a noun, title-cased: "Quiet Endless Harmony"."""
    first, second = draw.sample(_PHRASE_ADJECTIVES, 2)
    return f"{first} {second} {draw.choice(_PHRASE_NOUNS)}".title()
