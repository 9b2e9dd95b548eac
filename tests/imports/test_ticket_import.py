"""The canonical ticket import: counts in and out, every rejection reason, idempotency, unreadable files."""
from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from analytics.imports.columns import CANONICAL_COLUMNS
from analytics.imports.files import ImportFileError
from analytics.imports.service import import_tickets
from analytics.kernel.roles import Actor, PermissionDenied, system_actor
from tests.factories import paris

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
ACTOR = system_actor("test")


def row(**overrides) -> dict:
    base = {c: "" for c in CANONICAL_COLUMNS}
    base.update({"reference": "R-1", "company": "Acme", "contact_name": "Ann Admin",
                 "contact_email": "ann@acme.example", "channel": "phone", "severity": "2",
                 "status": "resolved", "opened_at": "2026-06-03T10:00:00+02:00",
                 "first_response_at": "2026-06-03T10:20:00+02:00", "resolved_at": "2026-06-03T12:00:00+02:00",
                 "team": "Network", "description": "line one\nline two"})
    base.update(overrides)
    return base


def write_csv(path, rows, columns=CANONICAL_COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


REJECTIONS = [
    ({"reference": ""}, "missing reference"),
    ({"company": ""}, "missing company"),
    ({"channel": "fax"}, "unknown channel 'fax'"),
    ({"channel": "portal", "severity": ""}, "missing severity (required for portal)"),
    ({"severity": "5"}, "severity must be 1, 2, 3 or 4, not '5'"),
    ({"severity": "high"}, "severity must be 1, 2, 3 or 4, not 'high'"),
    ({"opened_at": ""}, "missing opened_at"),
    ({"opened_at": "03/06/2026 10:00"}, "unreadable opened_at (ISO 8601 expected)"),
    ({"resolved_at": "yesterday"}, "unreadable resolved_at (ISO 8601 expected)"),
    ({"first_response_at": "2026-06-03T09:00:00+02:00"}, "first_response_at before opened_at"),
    ({"resolved_at": "2026-06-03T09:00:00+02:00", "first_response_at": ""}, "resolved_at before opened_at"),
    ({"closed_at": "2026-06-03T11:00:00+02:00"}, "closed_at before resolved_at"),
    ({"contact_email": "not-an-address"}, "invalid contact_email"),
    # implausible times (a ticket of year 1 crashed the Monthly report's month picker)
    ({"opened_at": "0001-06-03T10:00:00+00:00"}, "opened_at before 1990-01-01 (implausible)"),
    ({"opened_at": "1900-06-03T10:00:00+00:00"}, "opened_at before 1990-01-01 (implausible)"),
    ({"opened_at": "9999-06-03T10:00:00+00:00", "first_response_at": "", "resolved_at": ""},
     "opened_at more than a day in the future"),
    ({"resolved_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "resolved_at more than a day in the future"),
]


@pytest.mark.parametrize("overrides,reason", REJECTIONS, ids=[r for _, r in REJECTIONS])
def test_each_rejection_reason_is_kept_with_its_line(db, tmp_path, overrides, reason):
    path = write_csv(tmp_path / "t.csv", [row(reference="OK-1"), row(reference="BAD-1", **overrides)
                                          if "reference" not in overrides else row(**overrides)])
    report = import_tickets(db, path, actor=ACTOR)
    assert (report.read, report.inserted, report.rejected) == (2, 1, 1)
    # the first data row spans lines 2-3 (quoted newline in the description): the bad row starts on line 4
    assert db.rows("SELECT line, reason FROM import_rejections") == [(4, reason)]
    assert db.scalar("SELECT count(*) FROM tickets") == 1


def test_malformed_rows_and_duplicates_are_rejected_not_dropped(db, tmp_path):
    path = tmp_path / "t.csv"
    write_csv(path, [row(reference="A"), row(reference="B"), row(reference="A", severity="3")])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("C,Acme,too,few,fields\n")
    report = import_tickets(db, path, actor=ACTOR)
    assert (report.read, report.inserted, report.rejected) == (4, 2, 2)
    reasons = dict(db.rows("SELECT line, reason FROM import_rejections ORDER BY line"))
    assert reasons == {2: "duplicate reference in file (kept line 6)",
                       8: f"expected {len(CANONICAL_COLUMNS)} fields, found 5"}
    assert db.scalar("SELECT severity FROM tickets WHERE reference = 'A'") == 3


def test_email_without_severity_defaults_to_4_and_naive_times_are_paris(db, tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(channel="email", severity="", opened_at="2026-07-01 10:00",
                                              first_response_at="", resolved_at="", status="")])
    import_tickets(db, path, actor=ACTOR)
    severity, opened, status = db.rows("SELECT severity, opened_at, status FROM tickets")[0]
    assert severity == 4 and status == "open"
    assert opened == paris(2026, 7, 1, 10, 0)
    assert opened.astimezone(UTC) == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def test_reimport_is_idempotent_and_changes_update(db, tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(reference="A"), row(reference="B")])
    first = import_tickets(db, path, actor=ACTOR)
    again = import_tickets(db, path, actor=ACTOR)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    write_csv(path, [row(reference="A", severity="1", team="Platforms"), row(reference="B")])
    changed = import_tickets(db, path, actor=ACTOR)
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 1)
    assert db.rows("SELECT severity, team FROM tickets WHERE reference = 'A'") == [(1, "Platforms")]
    kinds = db.rows("SELECT kind, from_value, to_value FROM ticket_events WHERE actor = 'import' "
                    "AND kind IN ('severity', 'reassigned') ORDER BY kind")
    assert kinds == [("reassigned", "Network", "Platforms"), ("severity", "2", "1")]
    assert db.scalar("SELECT count(*) FROM tickets") == 2
    assert db.scalar("SELECT count(*) FROM import_runs") == 3
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'import'") == 3


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    (b"", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a UTF-8"),
    (b"id,title\n1,hello\n", "header lacks column(s) 'reference', 'company'"),
])
def test_unreadable_files_raise_and_leave_the_database_unchanged(db, tmp_path, content, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_tickets(db, path, actor=ACTOR)
    assert db.scalar("SELECT count(*) FROM import_runs") == 0


def test_import_needs_the_admin_role(db, tmp_path):
    path = write_csv(tmp_path / "t.csv", [row()])
    with pytest.raises(PermissionDenied, match="Only a admin may import tickets"):
        import_tickets(db, path, actor=Actor("mia", roles=frozenset({"manager"})))
    assert db.scalar("SELECT count(*) FROM tickets") == 0


def test_cli_prints_counts_and_fails_cleanly(tmp_path):
    db_path = tmp_path / "cli.duckdb"
    good = write_csv(tmp_path / "t.csv", [row(reference="A"), row(reference="B", channel="fax")])
    run = subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(good), "--db", str(db_path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected" in run.stdout
    missing = subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(tmp_path / "nope.csv"),
                              "--db", str(db_path)], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr


def test_the_earliest_date_accepted_is_a_setting(db, tmp_path):
    from analytics.settings.service import change_setting

    path = write_csv(tmp_path / "old.csv", [row(reference="OLD-1", opened_at="1995-06-03T10:00:00+00:00",
                                                first_response_at="", resolved_at="")])
    change_setting(db, actor=Actor(name="Ada", roles=frozenset({"admin"})), name="imports.earliest_date",
                   value="2000-01-01")
    report = import_tickets(db, path, actor=ACTOR)
    assert (report.rejected, report.reasons) == (1, {"opened_at before 2000-01-01 (implausible)": 1})
    change_setting(db, actor=Actor(name="Ada", roles=frozenset({"admin"})), name="imports.earliest_date",
                   value="1990-01-01")
    assert import_tickets(db, path, actor=ACTOR).inserted == 1


def _file(path, data: bytes):
    path.write_bytes(data)
    return path


def _crcrlf(path):
    path.write_bytes(b"\r\r\n".join([",".join(CANONICAL_COLUMNS).encode()]
                                     + [",".join(row(reference=r, description="").values()).encode()
                                        for r in ("CR-1", "CR-2")]) + b"\r\r\n")
    return path


BAD_FILES = [
    ("empty", lambda p: _file(p / "e.csv", b""), 2, "empty file, expected a CSV header"),
    ("binary", lambda p: _file(p / "b.csv", bytes(range(256)) * 4), 2, "header lacks column(s)"),
    ("directory", lambda p: p, 2, "it is a directory, not a file"),
    ("missing", lambda p: p / "nope.csv", 2, "no such file"),
    ("CR CR LF line endings", lambda p: _crcrlf(p / "cr.csv"), 0, "2 read, 2 inserted"),
]


@pytest.mark.parametrize("case, make, code, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_every_kind_of_bad_file_ends_in_one_line_and_a_documented_code(tmp_path, case, make, code, message):
    target = make(tmp_path)
    run = subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(target), "--quiet",
                          "--db", str(tmp_path / "bad.duckdb")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == code, run.stderr
    out = run.stdout if code == 0 else run.stderr
    assert out.count("\n") == 1 and message in out, out


def test_a_file_whose_every_row_is_rejected_exits_1(tmp_path):
    bad = write_csv(tmp_path / "dayfirst.csv", [row(reference=f"D-{i}", opened_at="03/06/2026 10:00") for i in range(3)])
    run = subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(bad), "--quiet",
                          "--db", str(tmp_path / "r.duckdb")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stdout == ("dayfirst.csv: 3 read, 0 inserted, 0 updated, 0 unchanged, 3 rejected "
                          "(3 × unreadable opened_at (ISO 8601 expected))\n")
