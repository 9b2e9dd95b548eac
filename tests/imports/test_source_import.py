"""Imports with source profiles: each vendor's export, event logs folded, encodings and formats,
rejections with their lines, idempotency, dry runs and crashes that leave nothing behind."""
from __future__ import annotations

import gzip
import re
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from analytics.imports.files import ImportFileError
from analytics.imports.profiles import ProfileError, get_profile, parse_profile
from analytics.imports.service import import_file, resolve_profile
from analytics.kernel.roles import Actor, PermissionDenied, system_actor
from tests.factories import paris
from tests.imports.source_exports import EXPORTS, JSM, SERVICENOW_EVENTS, SERVICENOW_LIST, ZENDESK, write_export

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
ACTOR = system_actor("test")


def run_import(db, path, profile=None, **kwargs):
    return import_file(db, path, profile=profile or resolve_profile(path), actor=ACTOR, **kwargs)


def ticket(db, reference) -> dict:
    cur = db.cursor()
    try:
        cur.execute("SELECT t.*, c.name AS company FROM tickets t JOIN companies c ON c.id = t.company_id "
                    "WHERE reference = ?", [reference])
        return dict(zip([d[0] for d in cur.description], cur.fetchone()))
    finally:
        cur.close()


def events(db, reference) -> list[tuple]:
    return db.rows("SELECT e.occurred_at, e.kind, e.from_value, e.to_value FROM ticket_events e "
                   "JOIN tickets t ON t.id = e.ticket_id WHERE t.reference = ? ORDER BY e.occurred_at, e.kind",
                   [reference])


def counts(db) -> dict[str, int]:
    return {t: db.table_count(t) for t in ("tickets", "ticket_events", "companies", "import_runs",
                                           "import_rejections", "ticket_source_facts", "audit_log")}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_the_profile_is_recognised_from_the_header(tmp_path, name):
    path = write_export(tmp_path / f"{name}.csv", EXPORTS[name])
    assert resolve_profile(path).name == name


def test_servicenow_list_export(db, tmp_path):
    report = run_import(db, write_export(tmp_path / "incident.csv", SERVICENOW_LIST))
    assert (report.read, report.inserted, report.rejected) == (4, 3, 1)
    assert db.rows("SELECT line, reason FROM import_rejections") == [(5, "severity must be 1, 2, 3 or 4, not "
                                                                         "'9 - Unknown'")]
    first = ticket(db, "INC0010001")
    assert (first["severity"], first["channel"], first["company"], first["team"]) == (1, "phone", "Acme Corp",
                                                                                    "Network Support")
    assert first["opened_at"] == paris(2024, 3, 4, 9, 15) and first["resolved_at"] == paris(2024, 3, 4, 10, 45)
    assert first["source_made_sla"] is True and ticket(db, "INC0010002")["source_made_sla"] is False
    assert (ticket(db, "INC0010003")["channel"], ticket(db, "INC0010003")["status"]) == ("portal", "in progress")
    assert db.rows("SELECT t.reference, f.reopen_count FROM ticket_source_facts f JOIN tickets t ON t.id = f.ticket_id "
                   "WHERE reopen_count > 0") == [("INC0010002", 1)]


def test_servicenow_event_log_folds_into_tickets_and_events(db, tmp_path):
    report = run_import(db, write_export(tmp_path / "log.csv", SERVICENOW_EVENTS))
    assert (report.read, report.accepted, report.tickets, report.inserted, report.rejected) == (10, 10, 2, 2, 0)
    inc1 = ticket(db, "INC1")
    assert (inc1["severity"], inc1["initial_severity"], inc1["team"], inc1["status"]) == (3, 2, "Group 2", "closed")
    assert inc1["first_response_at"] == paris(2024, 6, 3, 9, 20)          # the first update out of New
    assert inc1["resolved_at"] == paris(2024, 6, 3, 13, 0) and inc1["closed_at"] == paris(2024, 6, 8, 13, 0)
    kinds = [(k, f, t) for _, k, f, t in events(db, "INC1")]
    assert kinds == [("opened", None, "Group 1"), ("status", None, "new"), ("reassigned", "Group 1", "Group 2"),
                     ("response", None, None), ("status", "new", "active"), ("severity", "2", "3"),
                     ("status", "active", "awaiting user info"), ("status", "awaiting user info", "active"),
                     ("resolved", None, None), ("status", "active", "resolved"), ("closed", None, None),
                     ("status", "resolved", "closed")]
    inc2 = ticket(db, "INC2")
    assert (inc2["status"], inc2["resolved_at"], inc2["closed_at"]) == ("resolved", paris(2024, 6, 5, 9, 30), None)
    assert inc2["source_made_sla"] is False                                 # the last update's verdict
    assert ("reopened", "resolved", "active") in [(k, f, t) for _, k, f, t in events(db, "INC2")]
    facts = dict((r[0], r[1:]) for r in db.rows(
        "SELECT t.reference, f.reopen_count, f.reassignment_count, f.waiting_s FROM ticket_source_facts f "
        "JOIN tickets t ON t.id = f.ticket_id"))
    assert facts == {"INC1": (0, 1, 7200.0), "INC2": (1, 0, 0.0)}          # 2 h awaiting user info


def test_jira_service_management_export(db, tmp_path):
    report = run_import(db, write_export(tmp_path / "jira.csv", JSM))
    assert (report.read, report.inserted, report.rejected) == (3, 3, 0)
    first = ticket(db, "ITSM-101")
    assert (first["severity"], first["channel"], first["company"], first["platform"]) == (1, "portal", "Acme Corp",
                                                                                        "VPN")  # first Component/s
    assert first["opened_at"] == paris(2024, 3, 4, 9, 15) and first["resolved_at"] == paris(2024, 3, 4, 10, 45)
    assert ticket(db, "ITSM-102")["status"] == "waiting for customer"
    assert ticket(db, "ITSM-103")["company"] == "Unknown company"           # no organisation on the request


def test_zendesk_export(db, tmp_path):
    report = run_import(db, write_export(tmp_path / "zendesk.csv", ZENDESK))
    assert (report.read, report.inserted, report.rejected) == (3, 3, 0)
    urgent = ticket(db, "2001")
    assert (urgent["severity"], urgent["channel"], urgent["contact_email"]) == (1, "phone", "lea@acme.example")
    assert urgent["first_response_at"] == paris(2024, 3, 4, 9, 12)           # created + 12 min first reply
    unprioritised = ticket(db, "2002")
    assert (unprioritised["severity"], unprioritised["channel"], unprioritised["resolved_at"]) == (4, "email", None)
    assert ticket(db, "2003")["first_response_at"] is None
    waits = dict(db.rows("SELECT t.reference, f.waiting_s FROM ticket_source_facts f JOIN tickets t "
                         "ON t.id = f.ticket_id WHERE f.waiting_s IS NOT NULL"))
    assert waits == {"2001": 1800.0, "2002": 14400.0}


ENCODINGS = [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("latin-1", "\t"), ("utf-16", "\t")]


@pytest.mark.parametrize("encoding,delimiter", ENCODINGS, ids=[f"{e} {d!r}" for e, d in ENCODINGS])
def test_encodings_and_delimiters(db, tmp_path, encoding, delimiter):
    rows = [list(r) for r in SERVICENOW_LIST[:3]]
    rows[1][11] = "Société Générale"                      # company
    rows[2][2] = "Facture bloquée: « é à ç »\nsur deux lignes"
    path = write_export(tmp_path / "export.csv", rows, encoding=encoding, delimiter=delimiter)
    report = run_import(db, path)
    assert (report.read, report.inserted, report.rejected) == (2, 2, 0)
    assert ticket(db, "INC0010001")["company"] == "Société Générale"
    assert ticket(db, "INC0010002")["description"] == "Facture bloquée: « é à ç »\nsur deux lignes"
    details = db.rows("SELECT encoding, delimiter FROM import_run_details")[0]
    assert details == ({"utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "latin-1": "cp1252"}.get(encoding, encoding),
                       delimiter)


def test_windows_1252_characters_outside_latin_1(db, tmp_path):
    rows = [list(r) for r in SERVICENOW_LIST[:2]]
    rows[1][2] = "Coût: 100 € – “urgent”"
    report = run_import(db, write_export(tmp_path / "win.csv", rows, encoding="cp1252"))
    assert report.inserted == 1 and ticket(db, "INC0010001")["description"] == "Coût: 100 € – “urgent”"


def test_gzip_xlsx_and_parquet(db, tmp_path):
    plain = write_export(tmp_path / "log.csv", SERVICENOW_EVENTS)
    packed = tmp_path / "log.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert run_import(db, packed).tickets == 2
    frame = pd.DataFrame(ZENDESK[1:], columns=ZENDESK[0])
    frame.to_excel(tmp_path / "zendesk.xlsx", index=False)
    report = run_import(db, tmp_path / "zendesk.xlsx")
    assert (report.source, report.inserted, report.rejected) == ("zendesk", 3, 0)
    jira = pd.DataFrame([r[:15] for r in JSM[1:]], columns=JSM[0][:15])
    jira["Created"] = pd.to_datetime(["2024-03-04 09:15", "2024-03-04 14:00", "2024-03-05 08:00"])  # typed column
    jira.to_parquet(tmp_path / "jira.parquet")
    report = run_import(db, tmp_path / "jira.parquet")
    assert (report.source, report.inserted, report.rejected) == ("jira-service-management", 3, 0)
    assert ticket(db, "ITSM-102")["opened_at"] == paris(2024, 3, 4, 14, 0)


def test_rejections_keep_their_line_and_reason(db, tmp_path):
    rows = [list(r) for r in SERVICENOW_LIST[:3]]
    rows[1][12] = "Carrier pigeon"                         # contact_type with no mapping
    rows[2][1] = "04/03/2024 11:00"                        # not the profile's date format
    path = write_export(tmp_path / "bad.csv", rows, newline="\n")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("INC9,2024-03-04 09:00:00,too few fields\n")
        handle.write('INC8,2024-03-04 09:00:00,"never closed quote\n')
    report = run_import(db, path)
    assert (report.read, report.accepted, report.rejected) == (4, 0, 4)
    assert db.rows("SELECT line, reason FROM import_rejections ORDER BY line") == [
        (2, "unknown channel 'Carrier pigeon'"),
        (3, "unreadable opened_at (expected %Y-%m-%d %H:%M:%S or %Y-%m-%d %H:%M or ISO 8601)"),
        (4, "expected 22 fields, found 3"),
        (5, "malformed CSV: unterminated or stray quote")]
    assert report.reasons == {"unknown channel": 1, "unreadable opened_at (expected %Y-%m-%d %H:%M:%S or "
                              "%Y-%m-%d %H:%M or ISO 8601)": 1, "expected 22 fields, found 3": 1,
                              "malformed CSV: unterminated or stray quote": 1}


def test_event_log_rejections_cover_every_row_of_a_rejected_ticket(db, tmp_path):
    rows = [list(r) for r in SERVICENOW_EVENTS]
    rows[3][13] = "yesterday"                              # INC1 update 2: unreadable sys_updated_at
    rows[5][5] = "four"                                    # INC1 update 4: unreadable sys_mod_count
    rows[7][0] = "?"                                       # an update without incident number
    for row in rows[8:]:
        row[22] = "urgent-ish"                             # INC2's later updates: unmapped priority
    report = run_import(db, write_export(tmp_path / "log.csv", rows))
    severity = "severity must be 1, 2, 3 or 4, not 'urgent-ish'"
    assert db.rows("SELECT line, reason FROM import_rejections ORDER BY line") == [
        (4, "unreadable updated_at (expected %d/%m/%Y %H:%M or %d/%m/%Y %H:%M:%S or ISO 8601)"),
        (6, "unreadable sequence (a number expected)"),
        (8, "missing reference"),
        (9, severity), (10, severity), (11, severity)]   # INC2's last update decides: all its rows go
    assert (report.read, report.accepted, report.rejected, report.tickets) == (10, 4, 6, 1)
    assert db.rows("SELECT reference FROM tickets") == [("INC1",)]


def test_reimport_changes_nothing(db, tmp_path):
    log = write_export(tmp_path / "log.csv", SERVICENOW_EVENTS)
    listing = write_export(tmp_path / "zendesk.csv", ZENDESK)
    run_import(db, log), run_import(db, listing)
    before = counts(db)
    again = run_import(db, log), run_import(db, listing)
    assert [(r.inserted, r.updated, r.unchanged, r.events) for r in again] == [(0, 0, 2, 0), (0, 0, 3, 0)]
    after = counts(db)
    assert {k: after[k] - before[k] for k in after} == {"tickets": 0, "ticket_events": 0, "companies": 0,
                                                        "import_runs": 2, "import_rejections": 0,
                                                        "ticket_source_facts": 0, "audit_log": 2}


def test_a_longer_log_adds_only_the_new_updates(db, tmp_path):
    rows = [list(r) for r in SERVICENOW_EVENTS]
    run_import(db, write_export(tmp_path / "early.csv", rows[:4] + rows[7:]))   # INC1 up to Awaiting User Info
    assert ticket(db, "INC1")["status"] == "awaiting user info"
    report = run_import(db, write_export(tmp_path / "full.csv", rows))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    assert ticket(db, "INC1")["status"] == "closed"
    statuses = [t for _, k, _, t in events(db, "INC1") if k == "status"]
    assert statuses == ["new", "active", "awaiting user info", "active", "resolved", "closed"]


def test_dry_run_previews_and_writes_nothing(db, tmp_path):
    before = counts(db)
    preview = run_import(db, write_export(tmp_path / "log.csv", SERVICENOW_EVENTS), dry_run=True)
    assert counts(db) == before
    assert (preview.report.read, preview.report.tickets) == (10, 2)
    assert list(preview.tickets["reference"]) == ["INC1", "INC2"]
    assert set(preview.events["kind"]) == {"status", "reassigned", "severity", "reopened"}


def test_failure_mid_import_leaves_the_database_as_it_was(db, tmp_path):
    run_import(db, write_export(tmp_path / "first.csv", ZENDESK))
    before = counts(db)

    def crash(step, fraction):
        if step == "recording":   # tickets, events and facts are written by now
            raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError, match="disk unplugged"):
        run_import(db, write_export(tmp_path / "log.csv", SERVICENOW_EVENTS), progress=crash)
    assert counts(db) == before


def test_a_killed_process_leaves_nothing_half_written(db, tmp_path):
    write_export(tmp_path / "log.csv", SERVICENOW_EVENTS)
    db_path = db.path
    db.close()
    script = textwrap.dedent(f"""
        import os
        from analytics.kernel.roles import system_actor
        from analytics.domains import open_store
        from analytics.imports.service import import_file, resolve_profile
        path = {str(tmp_path / "log.csv")!r}
        def die(step, fraction):
            if step == "recording":
                os._exit(9)          # the process dies with the transaction open
        import_file(open_store({str(db_path)!r}), path, profile=resolve_profile(path),
                    actor=system_actor(), progress=die)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    from analytics.domains import open_store
    reopened = open_store(db_path)
    assert counts(reopened) == {"tickets": 0, "ticket_events": 0, "companies": 0, "import_runs": 0,
                                "import_rejections": 0, "ticket_source_facts": 0, "audit_log": 0}
    reopened.close()


def test_canonical_import_refuses_text_that_is_not_utf8(db, tmp_path):
    from tests.imports.test_ticket_import import row, write_csv

    path = write_csv(tmp_path / "t.csv", [row(company="Société")])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    with pytest.raises(ImportFileError, match="not a UTF-8 CSV file"):
        import_file(db, path, profile=get_profile("canonical"), actor=ACTOR)


def test_import_needs_the_admin_role(db, tmp_path):
    path = write_export(tmp_path / "z.csv", ZENDESK)
    with pytest.raises(PermissionDenied, match=re.escape(
            "Only a admin may import tickets; you are signed in as mia with roles: manager.") + "$"):
        import_file(db, path, profile=get_profile("zendesk"), actor=Actor("mia", roles=frozenset({"manager"})))


MAPPING = """
[profile]
name = "helpdesk"
[read]
missing = ["n/a"]
timestamp_formats = ["%d.%m.%Y %H:%M"]
timezone = "America/New_York"
[fields]
reference = "Case"
company = { column = "Client", default = "Unknown company" }
channel = { column = "Source", map = { "call" = "phone", "mail" = "email" } }
severity = { column = "Prio", map = { "p1" = 1, "p2" = 2, "p3" = 3 } }
status = "State"
opened_at = "Opened"
resolved_at = "Done"
"""


def test_any_export_with_a_mapping_file_from_the_command_line(tmp_path):
    (tmp_path / "helpdesk.toml").write_text(MAPPING)
    export = tmp_path / "cases.csv"
    export.write_text("Case;Client;Source;Prio;State;Opened;Done\nC-1;Acme;call;P1;done;02.01.2024 09:00;"
                      "02.01.2024 10:00\nC-2;n/a;mail;;open;03.01.2024 08:00;n/a\nC-3;Beta;fax;P3;open;x;\n",
                      encoding="utf-8")
    db_path = tmp_path / "cli.duckdb"
    run = subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(export), "--mapping",
                          str(tmp_path / "helpdesk.toml"), "--db", str(db_path)], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert "3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected (1 × unknown channel)" in run.stdout
    assert "counts in = accepted + rejected: 3 = 2 + 1" in run.stdout
    from analytics.domains import open_store
    db = open_store(db_path)
    assert db.rows("SELECT reference, c.name, severity, opened_at = TIMESTAMPTZ '2024-01-02 14:00:00+00' "
                   "FROM tickets t JOIN companies c ON c.id = t.company_id ORDER BY 1") == [
        ("C-1", "Acme", 1, True), ("C-2", "Unknown company", 4, False)]
    db.close()


def test_inspect_proposes_a_mapping_that_imports(tmp_path, db):
    export = tmp_path / "cases.csv"
    export.write_text("Ticket ID;Customer;Via;Priority;Status;Created;Solved\nA-1;Acme;Mail;P1;Open;"
                      "13/03/2026 10:00;\nB-2;Beta;Phone;Low;Closed;14/03/2026 09:30;14/03/2026 11:00\n",
                      encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analytics", "import", "inspect", str(export)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    profile = parse_profile(run.stdout)
    assert profile.field("reference").column == "Ticket ID" and profile.timestamp_formats == ("%d/%m/%Y %H:%M",)
    assert dict(profile.field("severity").value_map) == {"low": "4", "p1": "1"}
    report = import_file(db, export, profile=profile, actor=ACTOR)
    assert (report.inserted, report.rejected) == (2, 0)
    assert ticket(db, "B-2")["resolved_at"] == paris(2026, 3, 14, 11, 0)


@pytest.mark.parametrize("text,message", [
    ('[fields]\nreference = "a"\n', "fields.opened_at is required"),
    ('[fields]\nreference = "a"\nopened_at = "b"\nmood = "c"\n', "fields.mood: unknown field"),
    ('[fields]\nreference = "a"\nopened_at = "b"\nchannel = { column = "c", map = { x = "fax" } }\n',
     "fields.channel.map: 'x' must map to one of phone"),
    ('[fields]\nreference = "a"\nopened_at = "b"\nseverity = { column = "c", map = { x = 7 } }\n',
     "must map to 1, 2, 3 or 4"),
    ('[read]\ntimezone = "Mars/Olympus"\n[fields]\nreference = "a"\nopened_at = "b"\n', "not a known time zone"),
    ('[fields\nreference = "a"\n', "not valid TOML"),
    ('[events]\norder = ["sequence"]\n[fields]\nreference = "a"\nopened_at = "b"\n',
     "an event log needs fields.sequence or fields.updated_at"),
])
def test_mapping_mistakes_are_named(text, message):
    with pytest.raises(ProfileError, match=message.replace("(", r"\(")):
        parse_profile(text)


def test_unusable_files_and_mappings_fail_with_one_line(tmp_path):
    db_path = tmp_path / "cli.duckdb"
    export = write_export(tmp_path / "zendesk.csv", ZENDESK)
    (tmp_path / "bad.toml").write_text('[fields]\nreference = "Id"\nopened_at = "Opened on"\n')
    (tmp_path / "format.toml").write_text('[read]\ntimestamp_formats = ["%Q"]\n[fields]\nreference = "Id"\n'
                                          'opened_at = "Created at"\n')
    for extra, message in ((["--mapping", str(tmp_path / "bad.toml")], "header lacks column(s) 'Opened on'"),
                           (["--mapping", str(tmp_path / "format.toml")], "timestamp format '%Q' is not usable"),
                           (["--source", "remedy"], "unknown source 'remedy'")):
        run = subprocess.run([sys.executable, "-m", "analytics", "import", "tickets", str(export), *extra,
                              "--db", str(db_path)], cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 2 and run.stderr.strip().count("\n") == 0 and message in run.stderr, run.stderr


def test_line_numbers_survive_quoted_newlines_blank_lines_and_mixed_line_ends(db, tmp_path):
    header = ",".join(SERVICENOW_LIST[0])
    good = ",".join(f'"{v}"' for v in SERVICENOW_LIST[1])
    multi = good.replace("INC0010001", "INC2").replace("Cannot send EDI documents", "two\r\nlines")
    bad = good.replace("INC0010001", "INC3").replace("1 - Critical", "0 - Panic")
    path = tmp_path / "mixed.csv"
    path.write_bytes(f"{header}\r\n{good}\r\n{multi}\n\n{bad}\r\n".encode())
    report = run_import(db, path)
    assert (report.read, report.inserted, report.rejected) == (3, 2, 1)
    assert db.rows("SELECT line FROM import_rejections") == [(6,)]    # after 1 header, 1 row, 2 lines, 1 blank


def test_files_that_cannot_be_read(db, tmp_path):
    for content, message in ((b"", "empty file"), (b"PK\x03\x04broken", "not a readable .xlsx"),
                              (b"PAR1broken", "not a readable Parquet")):
        path = tmp_path / "f.bin"
        path.write_bytes(content)
        with pytest.raises(ImportFileError, match=message):
            import_file(db, path, profile=get_profile("zendesk"), actor=ACTOR)
    assert db.table_count("import_runs") == 0
