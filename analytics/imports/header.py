"""Matching an export's header to a profile: which shipped profile it is, where each column sits.

Header names are compared trimmed and case-insensitive. :func:`column_positions` finds every
column a profile reads and names the missing ones; a missing column that has a ``default`` is
not an error, but :func:`defaulted_columns` lists it, so that the import warns that the default
stands in for it on every row (a misspelt column hidden by a default); an optional column
(``OPTIONAL_COLUMNS``: a satisfaction score) that is not in the file is simply empty, without a warning.
"""
from __future__ import annotations

import difflib

from analytics.imports.columns import OPTIONAL_COLUMNS
from analytics.imports.profiles import Profile, ProfileError, shipped_profiles


def normalise(column: str) -> str:
    """How header names are compared: trimmed, case-insensitive."""
    return column.strip().lower()


def detect_profile(header: list[str]) -> Profile | None:
    """The shipped profile whose detection columns the header holds (the most specific wins)."""
    names = {normalise(h) for h in header}
    matches = [p for p in shipped_profiles().values()
               if p.detect_columns and all(normalise(c) in names for c in p.detect_columns)]
    return max(matches, key=lambda p: len(p.detect_columns), default=None)


def _spec_columns(spec):
    return [c for c in (spec.column, *spec.fallbacks, spec.add_minutes) if c is not None]


def column_positions(profile: Profile, header: list[str]) -> dict[str, int]:
    """Header position of every column the profile reads; ProfileError names the missing ones."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(normalise(name), index)
    found, missing = {}, []
    for spec in profile.fields:
        for column in _spec_columns(spec):
            if normalise(column) in positions:
                found[column] = positions[normalise(column)]
            elif spec.default is None:
                missing.append(f"{column!r}{_nearest_column(column, header)}")
    if missing:
        raise ProfileError(f"header lacks column(s) {', '.join(dict.fromkeys(missing))}")
    return found


def _nearest_column(column: str, header: list[str]) -> str:
    by_name = {normalise(h): h for h in header}
    close = difflib.get_close_matches(normalise(column), list(by_name), n=1, cutoff=0.6)
    return f" (nearest in the file: {by_name[close[0]]!r})" if close else ""


def defaulted_columns(profile: Profile, header: list[str]) -> list[str]:
    """Warnings for named columns that are not in the file, whose default then stands in on every row."""
    names = {normalise(h) for h in header}
    found = []
    for spec in profile.fields:
        for column in _spec_columns(spec):
            if normalise(column) not in names and spec.default is not None and spec.name not in OPTIONAL_COLUMNS:
                shown = repr(spec.default) if spec.default else "empty"
                found.append(f"fields.{spec.name}: column {column!r} is not in the file, so its default ({shown}) "
                             f"is used for every row{_nearest_column(column, header)}")
    return found
