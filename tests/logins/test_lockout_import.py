"""The canonical login import: every rejection reason, counts, idempotency, unreadable files, the CLI."""
from __future__ import annotations

import pytest

from analytics.cli.main import main
from analytics.kernel.roles import Actor, PermissionDenied, system_actor
from analytics.logins.rollups import refresh_daily
from analytics.logins.service import LoginImportFileError, import_logins

ADMIN = system_actor("test")
HEADER = "occurred_at,user_id,company,ip,outcome,actor"
GOOD = "2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure,"


def write(tmp_path, *lines, name="logins.csv", header=HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def events(db):
    return db.rows("SELECT user_id, outcome, ip, streak FROM login_events ORDER BY occurred_at, user_id")


@pytest.mark.parametrize("line,reason", [
    (",u1,Acme,10.1.2.3,failure,", "missing occurred_at"),
    ("yesterday,u1,Acme,10.1.2.3,failure,", "unreadable occurred_at (ISO 8601 expected)"),
    ("2026-13-40T09:00:00,u1,Acme,10.1.2.3,failure,", "unreadable occurred_at (ISO 8601 expected)"),
    ("0001-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure,", "occurred_at before 1990-01-01 (implausible)"),
    ("9999-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure,", "occurred_at more than a day in the future"),
    ("2026-11-02T09:00:00+01:00,,Acme,10.1.2.3,failure,", "missing user_id"),
    ("2026-11-02T09:00:00+01:00,u1,,10.1.2.3,failure,", "missing company"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,,failure,", "missing ip"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,999.1.1.1,failure,", "invalid ip address '999.1.1.1'"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.0/24,failure,", "invalid ip address '10.1.2.0/24'"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,2001:db8::zz,failure,", "invalid ip address '2001:db8::zz'"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,,", "missing outcome"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,hacked,", "unknown outcome 'hacked'"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,unlock,",
     "missing actor (the administrator, required for unlock)"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,password_regenerated,",
     "missing actor (the administrator, required for password_regenerated)"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure", "expected 6 fields, found 5"),
    ("2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure,,extra", "expected 6 fields, found 7"),
    ('2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure,"' + "x" * 200_000 + '"',
     "malformed CSV: field larger than field limit (131072)"),
])
def test_each_rejection_reason_is_kept(db, tmp_path, line, reason):
    report = import_logins(db, write(tmp_path, GOOD.replace("u1", "ok"), line), actor=ADMIN)
    assert (report.read, report.inserted, report.rejected) == (2, 1, 1)
    kept = db.rows("SELECT line, reason FROM import_rejections WHERE import_id = ?", [report.import_id])
    assert kept == [(3, reason)]
    assert sum(report.reasons.values()) == 1
    assert events(db) == [("ok", "failure", "10.1.2.3", 0)]


def test_a_quoted_newline_keeps_line_numbers(db, tmp_path):
    path = write(tmp_path, '2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,unlock,"Admin\nB"',
                 "2026-11-02T09:00:01+01:00,u1,Acme,10.1.2.3,teleport,")
    report = import_logins(db, path, actor=ADMIN)
    assert (report.read, report.inserted, report.rejected) == (2, 1, 1)
    assert db.rows("SELECT line, reason FROM import_rejections") == [(4, "unknown outcome 'teleport'")]
    assert db.scalar("SELECT actor FROM login_events") == "Admin\nB"


def test_duplicate_event_keeps_the_last_line(db, tmp_path):
    report = import_logins(db, write(tmp_path, GOOD, GOOD.replace("10.1.2.3", "10.9.9.9")), actor=ADMIN)
    assert (report.inserted, report.rejected) == (1, 1)
    assert db.rows("SELECT line, reason FROM import_rejections") == [(2, "duplicate event in file (kept line 3)")]
    assert events(db) == [("u1", "failure", "10.9.9.9", 0)]


def test_a_rejected_last_occurrence_does_not_hide_a_valid_one(db, tmp_path):
    report = import_logins(db, write(tmp_path, GOOD, GOOD.replace("10.1.2.3", "bad")), actor=ADMIN)
    assert (report.inserted, report.rejected, report.reasons) == (1, 1, {"invalid ip address": 1})


def test_counts_idempotency_and_updates(db, tmp_path):
    lines = [GOOD, "2026-11-02T09:00:05+01:00,u1,Acme,::ffff:10.1.2.3,failure,",
             "2026-11-02 09:01:00,u1,Acme,10.1.2.3,success,",          # no offset: Paris time
             "2026-11-02T10:00:00Z,u2,Beta,2001:db8:100::5,inactivity_logout,",
             "2026-11-02T11:00:00+01:00,u2,Beta,2001:db8:100::5,unlock,admin-b"]
    first = import_logins(db, write(tmp_path, *lines), actor=ADMIN)
    assert (first.read, first.inserted, first.updated, first.unchanged, first.rejected) == (5, 5, 0, 0, 0)
    again = import_logins(db, write(tmp_path, *lines), actor=ADMIN)
    assert (again.read, again.inserted, again.updated, again.unchanged, again.rejected) == (5, 0, 0, 5, 0)
    lines[4] = lines[4].replace("admin-b", "admin-c")
    third = import_logins(db, write(tmp_path, *lines), actor=ADMIN)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 4)
    assert db.scalar("SELECT count(*) FROM login_events") == 5
    assert db.scalar("SELECT actor FROM login_events WHERE outcome = 'unlock'") == "admin-c"
    assert db.rows("SELECT ip FROM login_events WHERE user_id = 'u1' GROUP BY ip") == [("10.1.2.3",)]
    assert db.scalar("SELECT strftime(occurred_at AT TIME ZONE 'UTC', '%H:%M') FROM login_events "
                     "WHERE outcome = 'success'") == "08:01"
    assert {r[0] for r in db.rows("SELECT name FROM companies")} == {"Acme", "Beta"}
    runs = db.rows("SELECT kind, rows_read, inserted, updated, unchanged, rejected FROM import_runs ORDER BY id")
    assert runs == [("logins", 5, 5, 0, 0, 0), ("logins", 5, 0, 0, 5, 0), ("logins", 5, 0, 1, 4, 0)]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'import' AND entity = 'import_run'") == 3


def test_sequence_facts_survive_files_in_any_order(db, tmp_path):
    later = write(tmp_path, "2026-11-02T09:00:10+01:00,u1,Acme,10.1.2.3,failure,",
                  "2026-11-02T09:00:30+01:00,u1,Acme,10.1.2.3,failure,", name="later.csv")
    earlier = write(tmp_path, "2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,failure,", name="earlier.csv")
    import_logins(db, later, actor=ADMIN)
    assert [r[3] for r in events(db)] == [0, 1]
    import_logins(db, earlier, actor=ADMIN)
    assert [r[3] for r in events(db)] == [0, 1, 2]
    assert db.rows("SELECT since_attempt_s FROM login_events ORDER BY occurred_at") == [(None,), (10.0,), (20.0,)]


def test_the_zone_is_not_read_from_the_file(db, tmp_path):
    path = write(tmp_path, "2026-11-02T09:00:00+01:00,u1,Acme,203.0.113.5,failure,,inside",
                 header=HEADER + ",zone")
    import_logins(db, path, actor=ADMIN)
    assert "zone" not in {c[0] for c in db.rows("SELECT column_name FROM information_schema.columns "
                                                "WHERE table_name = 'login_events'")}
    assert db.scalar("SELECT ip FROM login_events") == "203.0.113.5"


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    (b"\xff\xfe\x00o\x00c", "not a UTF-8 CSV file"),
    (b"", "empty file"),
    (b"occurred_at,user_id,company,ip\n", "header lacks column(s) outcome, actor"),
    (b"\x00\x01binary", "binary content"),
])
def test_unreadable_files_leave_the_database_unchanged(db, tmp_path, content, message):
    import_logins(db, write(tmp_path, GOOD, name="before.csv"), actor=ADMIN)
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(LoginImportFileError, match="cannot read .*" + message.replace("(", r"\(").replace(")", r"\)")):
        import_logins(db, path, actor=ADMIN)
    assert db.scalar("SELECT count(*) FROM login_events") == 1
    assert db.scalar("SELECT count(*) FROM import_runs") == 1


def test_only_an_admin_may_import(db, tmp_path):
    with pytest.raises(PermissionDenied, match="import login events"):
        import_logins(db, write(tmp_path, GOOD), actor=Actor("m", roles=frozenset({"manager"})))
    assert db.scalar("SELECT count(*) FROM login_events") == 0


def test_cli(db, tmp_path, capsys):
    path = write(tmp_path, GOOD, "2026-11-02T09:00:00+01:00,u1,Acme,10.1.2.3,hacked,")
    db_path = str(db.path)
    db.close()
    assert main(["import", "logins", str(path), "--db", db_path]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "logins.csv: 2 read, 1 inserted, 0 updated, 0 unchanged, 1 rejected (1 × unknown outcome)"
    assert main(["import", "logins", str(tmp_path / "missing.csv"), "--db", db_path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: cannot read") and "no such file" in err


def test_rollups_after_imports_equal_a_full_rebuild(db, tmp_path):
    def rollups():
        return (db.rows("SELECT * FROM login_daily ORDER BY ALL"), db.rows("SELECT * FROM login_ip_daily ORDER BY ALL"))

    spray = [f"2026-11-03T02:{k:02d}:00+01:00,v{k},Acme,192.0.2.66,failure," for k in range(6)]
    import_logins(db, write(tmp_path, *spray, "2026-11-03T23:30:00+01:00,u1,Acme,10.1.2.3,success,",
                            name="first.csv"), actor=ADMIN)
    import_logins(db, write(tmp_path, "2026-11-04T00:30:00+01:00,u1,Acme,10.1.2.3,failure,",
                            "2026-11-05T09:00:00+01:00,v0,Beta,192.0.2.66,failure,",   # v0 moves to Beta
                            "2026-11-03T02:00:00+01:00,v0,Beta,192.0.2.66,failure,", name="second.csv"), actor=ADMIN)
    incremental = rollups()
    sprayed = sorted((r[3], r[4]) for r in incremental[1] if str(r[0]) == "2026-11-03")
    assert sprayed == [(1, 5), (2, 1)]   # Acme's five accounts and v0, now at Beta
    db.write(refresh_daily, tz=db.timezone)
    assert rollups() == incremental


def test_the_cli_exits_1_when_every_event_is_rejected(tmp_path, capsys):
    path = write(tmp_path, "yesterday,u1,Acme,10.1.2.3,failure,")
    assert main(["import", "logins", str(path), "--db", str(tmp_path / "l.duckdb")]) == 1
    assert "1 read, 0 inserted" in capsys.readouterr().out
