"""What an import reports: the rows read, what became of each, and why rows were refused.

Every import (tickets, login events) fills one :class:`ImportReport`; ``read = accepted + rejected``
always, and :meth:`ImportReport.summary` is the one line a person reads afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """Counts in and out of one import, with the rejection reasons (reason -> rows)."""

    file_name: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None

    @property
    def accepted(self) -> int:
        return self.read - self.rejected

    def counts(self) -> str:
        """The counts, in the order a reader checks them."""
        return (f"{self.read} read, {self.inserted} inserted, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected")

    def reasons_text(self) -> str:
        """`` (3 × reason; 1 × other)``, or '' when nothing was rejected."""
        if not self.reasons:
            return ""
        return " (" + "; ".join(f"{n} × {r}" for r, n in sorted(self.reasons.items())) + ")"

    def summary(self) -> str:
        """One line a person reads after the import."""
        return f"{self.file_name}: {self.counts()}{self.reasons_text()}"

    def exit_code(self) -> int:
        """For the command line: 1 when the file had rows and every one was rejected (a scheduler
        must notice, although the run and its rejections are recorded), else 0."""
        return 1 if self.read and not self.accepted else 0
