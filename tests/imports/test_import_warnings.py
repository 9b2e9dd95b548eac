"""An unfamiliar export is read right or the user is told what does not fit, before confirming.

Real-shaped files written here from documented columns: an activity log (one row per activity,
the case's resolve and close times repeated on every row as trace attributes, bookkeeping
activities logged after closing); day-first, month-first and ambiguous dates; a typo in every
kind of mapping key and value; ``--strict`` and the exit codes of ``import tickets``.
"""
from __future__ import annotations

import csv
import subprocess
import sys
import textwrap

import pytest

from analytics.domains import open_store
from analytics.imports.profiles import ProfileError, parse_profile
from analytics.imports.service import ImportRefused, import_file
from analytics.kernel.roles import system_actor
from tests.factories import paris

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
ACTOR = system_actor("test")
ACTIVITY_HEADER = ["case_id", "activity", "timestamp", "resolved_time", "close_time", "priority", "team", "customer"]
# A-1 ends with bookkeeping after closing; B-2 has no resolve time and its "Resolve" / "Close" activities
# were logged 2 s after the case's close time; C-3 was reopened and is open; D-4 closes plainly.
ACTIVITY_ROWS = [
    ["A-1", "Open", "2024-03-04 09:00:00", "2024-03-04 11:00:00", "2024-03-05 09:00:00", "P2", "L1", "Acme"],
    ["A-1", "Assign", "2024-03-04 09:10:00", "2024-03-04 11:00:00", "2024-03-05 09:00:00", "P2", "L2", "Acme"],
    ["A-1", "Resolve", "2024-03-04 11:00:00", "2024-03-04 11:00:00", "2024-03-05 09:00:00", "P2", "L2", "Acme"],
    ["A-1", "Close", "2024-03-05 09:00:00", "2024-03-04 11:00:00", "2024-03-05 09:00:00", "P2", "L2", "Acme"],
    ["A-1", "Update notes", "2024-03-06 10:00:00", "2024-03-04 11:00:00", "2024-03-05 09:00:00", "P2", "L2", "Acme"],
    ["B-2", "Open", "2024-03-04 10:00:00", "", "2024-03-04 15:00:00", "P3", "L1", "Beta"],
    ["B-2", "Resolve", "2024-03-04 15:00:02", "", "2024-03-04 15:00:00", "P3", "L1", "Beta"],
    ["B-2", "Close", "2024-03-04 15:00:02", "", "2024-03-04 15:00:00", "P3", "L1", "Beta"],
    ["C-3", "Open", "2024-03-04 10:00:00", "", "", "P3", "L1", "Beta"],
    ["C-3", "Resolve", "2024-03-04 12:00:00", "", "", "P3", "L1", "Beta"],
    ["C-3", "Reopen", "2024-03-04 13:00:00", "", "", "P3", "L1", "Beta"],
    ["D-4", "Open", "2024-03-04 08:00:00", "2024-03-04 09:00:00", "2024-03-04 09:30:00", "P1", "L1", "Acme"],
    ["D-4", "Resolve", "2024-03-04 09:00:00", "2024-03-04 09:00:00", "2024-03-04 09:30:00", "P1", "L1", "Acme"],
    ["D-4", "Close", "2024-03-04 09:30:00", "2024-03-04 09:00:00", "2024-03-04 09:30:00", "P1", "L1", "Acme"],
]


def activity_mapping(*, resolved='"resolved_time"', ignored="", resolved_statuses='["Resolve", "Close"]',
                     closed_statuses='["Close"]', severity_map='"p1" = 1, "p2" = 2, "p3" = 3', team='"team"') -> str:
    return textwrap.dedent(f"""\
        [read]
        timestamp_formats = ["%Y-%m-%d %H:%M:%S"]
        [fields]
        reference = "case_id"
        company = "customer"
        channel = {{ default = "portal" }}
        severity = {{ column = "priority", map = {{ {severity_map} }} }}
        status = "activity"
        team = {team}
        opened_at = "timestamp"
        updated_at = "timestamp"
        resolved_at = {resolved}
        closed_at = "close_time"
        [events]
        order = ["updated_at"]
        new_statuses = ["Open"]
        resolved_statuses = {resolved_statuses}
        closed_statuses = {closed_statuses}
        {ignored}
        """)


def write_rows(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def preview(db, path, mapping: str):
    return import_file(db, path, profile=parse_profile(mapping), actor=ACTOR, dry_run=True).report


def imported(db, path, mapping: str, **kwargs):
    return import_file(db, path, profile=parse_profile(mapping), actor=ACTOR, **kwargs)


def times(db, reference):
    return db.rows("SELECT status, resolved_at, closed_at FROM tickets WHERE reference = ?", [reference])[0]


def test_the_files_columns_win_over_the_last_event_and_each_disagreement_is_reported(db, tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    report = imported(db, path, activity_mapping())
    assert (report.read, report.rejected, report.tickets) == (14, 0, 4)
    # its last activity is bookkeeping, but its resolve and close columns are set: resolved, closed
    assert times(db, "A-1") == ("update notes", paris(2024, 3, 4, 11, 0), paris(2024, 3, 5, 9, 0))
    # B-2: the "Resolve" activity came 2 s after the case's close time: resolved at its close time, not rejected
    assert times(db, "B-2") == ("close", paris(2024, 3, 4, 15, 0), paris(2024, 3, 4, 15, 0))
    assert times(db, "C-3") == ("reopen", None, None)          # reopened, no column says otherwise: open
    assert times(db, "D-4") == ("close", paris(2024, 3, 4, 9, 0), paris(2024, 3, 4, 9, 30))
    assert report.warnings == [
        "1 ticket closed by their closed_at column although their last status is not a closed status (e.g. A-1)",
        "1 ticket resolved at their closed_at: the update entering a resolved status came after it (e.g. B-2)",
        "1 ticket resolved by their resolved_at column although their last status is not a resolved status "
        "(e.g. A-1)"]
    assert db.scalar("SELECT warnings::VARCHAR FROM import_run_details").count("e.g.") == 3


def test_the_preview_lists_every_ticket_on_which_the_fold_and_the_columns_disagree(db, tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    preview = import_file(db, path, profile=parse_profile(activity_mapping()), actor=ACTOR, dry_run=True)
    assert preview.disagreements.values.tolist() == [
        ["A-1", "closed by their closed_at column although their last status is not a closed status"],
        ["A-1", "resolved by their resolved_at column although their last status is not a resolved status"],
        ["B-2", "resolved at their closed_at: the update entering a resolved status came after it"]]


def test_bookkeeping_statuses_and_combined_columns_leave_nothing_to_warn_about(db, tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    mapping = activity_mapping(resolved='["resolved_time", "close_time"]', ignored='ignored_statuses = ["Update notes"]')
    report = imported(db, path, mapping)
    assert report.warnings == [] and report.rejected == 0
    assert times(db, "A-1") == ("close", paris(2024, 3, 4, 11, 0), paris(2024, 3, 5, 9, 0))
    assert times(db, "B-2") == ("close", paris(2024, 3, 4, 15, 0), paris(2024, 3, 4, 15, 0))
    assert times(db, "C-3") == ("reopen", None, None)
    # the bookkeeping update is no status change of A-1
    assert db.rows("SELECT e.to_value FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                   "WHERE t.reference = 'A-1' AND e.kind = 'status' ORDER BY e.occurred_at") == [
        ("open",), ("assign",), ("resolve",), ("close",)]


def test_typos_in_values_are_named_with_what_the_file_holds(db, tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    mapping = activity_mapping(closed_statuses='["Closed"]', resolved_statuses='["Resolve", "Clos"]',
                               severity_map='"p1" = 1, "p2" = 2, "p 3" = 3', team='{ column = "teams", default = "" }')
    report = preview(db, path, mapping)
    assert report.warnings[:4] == [
        "fields.team: column 'teams' is not in the file, so its default (empty) is used for every row "
        "(nearest in the file: 'team')",
        "fields.severity.map: 'p 3' matches no value of column 'priority'; did you mean 'p3'?",
        "events.resolved_statuses: 'clos' matches no status in the file; did you mean 'close'?",
        "events.closed_statuses: none of these statuses is in the file ('closed'; values in the file: 'assign', "
        "'close', 'open', 'reopen', 'resolve', 'update notes')"]
    assert db.table_count("tickets") == 0                       # a preview writes nothing


@pytest.mark.parametrize("text,message", [
    ('[field]\nreference = "a"\n', r"unknown section\(s\) \[field\] \(did you mean 'fields'\?\)"),
    ('[read]\ntimestamp_format = ["%d"]\n[fields]\nreference = "a"\nopened_at = "b"\n',
     r"\[read\]: unknown key\(s\) 'timestamp_format' \(did you mean 'timestamp_formats'\?\)"),
    ('[profile]\ntitel = "x"\n[fields]\nreference = "a"\nopened_at = "b"\n', r"did you mean 'title'\?"),
    ('[fields]\nreference = "a"\nopened_at = { colum = "b" }\n', r"fields.opened_at: unknown key\(s\) 'colum' "
                                                                   r"\(did you mean 'column'\?\)"),
    ('[fields]\nreference = "a"\nopened_at = "b"\nsevrity = "c"\n', r"fields.sevrity: unknown field "
                                                                      r"\(did you mean 'severity'\?\)"),
    ('[fields]\nreference = "a"\nopened_at = "b"\nupdated_at = "b"\n[events]\nresolved_status = ["x"]\n',
     r"events: unknown key\(s\) 'resolved_status' \(did you mean 'resolved_statuses'\?\)"),
])
def test_a_misspelt_key_is_refused_with_the_nearest_valid_one(text, message):
    with pytest.raises(ProfileError, match=message):
        parse_profile(text)


def dates_file(tmp_path, values):
    rows = [[f"T-{i}", "Acme", "phone", "3", value] for i, value in enumerate(values, start=1)]
    return write_rows(tmp_path / "dates.csv", ["ref", "company", "channel", "severity", "opened"], rows)


def dates_mapping(formats: str = "") -> str:
    return (f"[read]\n{formats}\n[fields]\nreference = \"ref\"\ncompany = \"company\"\nchannel = \"channel\"\n"
            f"severity = \"severity\"\nopened_at = \"opened\"\n")


def test_day_first_dates_without_a_format_are_named_and_the_command_fails(db, tmp_path):
    path = dates_file(tmp_path, ["13/03/2024 10:00", "02/03/2024 11:00", "28/02/2024 09:00"])
    report = preview(db, path, dates_mapping())
    assert report.rejected == 3
    assert report.warnings == [
        "opened_at (column 'opened'): the values are day-first (e.g. '28/02/2024') but no timestamp format "
        "says so; use e.g. timestamp_formats = [\"%d/%m/%Y %H:%M\"]",
        "3 of 3 rows (100%) are rejected, more than 5%: check the mapping against the reasons below"]
    (tmp_path / "dates.toml").write_text(dates_mapping())
    run = cli(tmp_path, path, "--mapping", str(tmp_path / "dates.toml"))
    assert run.returncode == 1, run.stderr
    assert "0 inserted, 0 updated, 0 unchanged, 3 rejected (3 × unreadable opened_at (ISO 8601 expected))" in run.stdout
    assert run.stderr.count("warning: ") == 2


def test_month_first_values_under_a_day_first_format(db, tmp_path):
    path = dates_file(tmp_path, ["03/13/2024 10:00", "03/02/2024 11:00"])
    report = preview(db, path, dates_mapping('timestamp_formats = ["%d/%m/%Y %H:%M"]'))
    assert report.warnings[:2] == [
        "opened_at (column 'opened'): the values are month-first (e.g. '03/13/2024') but the format reads the "
        "day first; use e.g. timestamp_formats = [\"%m/%d/%Y %H:%M\"]",
        "opened_at: 1 of 2 values match neither the format(s) '%d/%m/%Y %H:%M' nor ISO 8601 and reject their rows "
        "(e.g. '03/13/2024 10:00')"]


def test_ambiguous_dates_and_values_that_fall_back_to_iso(db, tmp_path):
    path = dates_file(tmp_path, ["03/02/2024 10:00", "04/05/2024 11:00", "2024-05-06 08:00"])
    report = preview(db, path, dates_mapping('timestamp_formats = ["%d/%m/%Y %H:%M"]'))
    assert report.warnings == [
        "opened_at: 1 of 3 values do not match the format(s) '%d/%m/%Y %H:%M' and were read as ISO 8601 instead "
        "(e.g. '2024-05-06 08:00')",
        "opened_at (column 'opened'): day and month cannot be told apart (no value has either above 12); they are "
        "read day-first by the format: check one date you know"]
    assert report.rejected == 0


def cli(tmp_path, path, *extra):
    return subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(path), *extra,
                           "--db", str(tmp_path / "cli.duckdb")], cwd=ROOT, capture_output=True, text=True)


def test_strict_refuses_an_import_with_warnings_and_writes_nothing(tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    (tmp_path / "log.toml").write_text(activity_mapping())
    run = cli(tmp_path, path, "--mapping", str(tmp_path / "log.toml"), "--strict")
    assert run.returncode == 3, run.stderr
    lines = run.stderr.strip().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["warning:"] * 3 + ["error:"]
    assert lines[-1] == "error: import refused (--strict): 3 warning(s) above; nothing written"
    db = open_store(tmp_path / "cli.duckdb")
    assert (db.table_count("tickets"), db.table_count("import_runs")) == (0, 0)
    db.close()
    run = cli(tmp_path, path, "--mapping", str(tmp_path / "log.toml"))      # without --strict: imported, warned
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("warning: ") == 3 and "14 accepted into 4 tickets" in run.stdout


def test_strict_through_the_service_names_the_warnings(db, tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    with pytest.raises(ImportRefused, match=r"import refused \(--strict\), nothing written: 3 warnings: 1 ticket"):
        imported(db, path, activity_mapping(), strict=True)
    assert db.table_count("tickets") == 0
    clean = activity_mapping(resolved='["resolved_time", "close_time"]', ignored='ignored_statuses = ["Update notes"]')
    assert imported(db, path, clean, strict=True).tickets == 4


def inspect(tmp_path, path):
    return subprocess.run([sys.executable, "-m", "analytics", "import", "inspect", str(path)], cwd=ROOT,
                          capture_output=True, text=True)


def test_inspect_proposes_an_event_log_from_the_whole_file_and_it_imports(db, tmp_path):
    path = write_rows(tmp_path / "activities.csv", ACTIVITY_HEADER, ACTIVITY_ROWS)
    run = inspect(tmp_path, path)
    assert run.returncode == 0, run.stderr
    profile = parse_profile(run.stdout)
    assert (profile.field("status").column, profile.field("updated_at").column, profile.field("opened_at").column,
            profile.field("resolved_at").column, profile.field("closed_at").column) == (
        "activity", "timestamp", "timestamp", "resolved_time", "close_time")
    events = profile.events
    assert (events.order, events.new_statuses, events.resolved_statuses, events.closed_statuses,
            events.ignored_statuses) == (("updated_at",), ("open",), ("close", "resolve"), ("close",), ("update notes",))
    assert dict(profile.field("severity").value_map) == {"p1": "1", "p2": "2", "p3": "3"}
    report = import_file(db, path, profile=profile, actor=ACTOR)
    assert (report.tickets, report.rejected) == (4, 0)
    assert report.warnings == [
        "1 ticket resolved at their closed_at: the update entering a resolved status came after it (e.g. B-2)"]
    assert times(db, "A-1") == ("close", paris(2024, 3, 4, 11, 0), paris(2024, 3, 5, 9, 0))


def test_inspect_reads_every_row_not_a_sample(db, tmp_path):
    # 600 rows whose days are all 12 or less, then one day-first date and a severity seen only there
    rows = [[f"T-{i}", "Acme", "Phone", "P3", f"{1 + i % 12:02d}/{1 + i % 12:02d}/2024 10:00"] for i in range(600)]
    rows.append(["T-600", "Acme", "Phone", "Blocker", "25/03/2024 10:00"])
    path = write_rows(tmp_path / "late.csv", ["Ticket ID", "Customer", "Via", "Priority", "Created"], rows)
    run = inspect(tmp_path, path)
    assert run.returncode == 0, run.stderr
    profile = parse_profile(run.stdout)
    assert profile.timestamp_formats == ("%d/%m/%Y %H:%M",)
    assert dict(profile.field("severity").value_map) == {"blocker": "1", "p3": "3"}
    assert "every one of its 601 rows" in run.stdout
    report = import_file(db, path, profile=profile, actor=ACTOR)
    assert (report.inserted, report.rejected, report.warnings) == (601, 0, [])


def test_inspect_states_a_day_month_doubt(tmp_path):
    path = dates_file(tmp_path, ["03/02/2024 10:00", "04/05/2024 11:00"])
    run = inspect(tmp_path, path)
    assert run.returncode == 0, run.stderr
    assert ("# 'opened': day and month cannot be told apart (no value has either above 12); '%d/%m/%Y %H:%M' "
            "assumes the order: check one date you know") in run.stdout.splitlines()


@pytest.mark.parametrize("name,content,message", [
    ("page.csv", b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>\n",
     "it looks like an XML or HTML document, not a delimited export (CSV, TSV), a workbook, Parquet or an XES log"),
    ("log.xes", b'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n<trace/>\n</log>\n',
     "an XES log without events"),
    ("cut.xes", b'<?xml version="1.0"?>\n<log><trace><string key="concept:name" value="1"/><event>',
     "not a readable XES log (no element found: line 2, column 57)"),
    ("blob.csv", bytes(range(256)) * 4, "a binary file, not a delimited export (CSV, TSV), a workbook, Parquet or an XES log"),
])
def test_inspect_refuses_what_it_cannot_read_in_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    run = inspect(tmp_path, path)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: cannot read {path}: {message}\n"
