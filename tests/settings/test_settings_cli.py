"""``python -m analytics settings``: list, set (validated, audited as cli:<user>), reset."""
from __future__ import annotations

import getpass
import json

from analytics.cli.main import main
from analytics.domains import open_store
from analytics.settings.rules import SETTINGS


def test_set_reset_and_list(tmp_path, capsys):
    path = str(tmp_path / "cli.duckdb")
    assert main(["settings", "set", "auth.role_map", '{"ops": ["admin"]}', "--db", path]) == 0
    assert capsys.readouterr().out.startswith('auth.role_map: {"vigie-managers": ["manager"]')
    assert main(["settings", "set", "auth.allow_public_local_mode", "true", "--db", path]) == 0
    assert capsys.readouterr().out == "auth.allow_public_local_mode: false -> true\n"
    assert main(["settings", "reset", "auth.allow_public_local_mode", "--db", path]) == 0
    assert capsys.readouterr().out == "auth.allow_public_local_mode: true -> false (default)\n"

    assert main(["settings", "list", "--db", path, "--format", "json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert list(listed) == [s.name for s in SETTINGS]
    assert listed["auth.role_map"]["value"] == '{"ops": ["admin"]}'
    assert listed["auth.role_map"]["overridden"] is True

    db = open_store(path)
    assert db.rows("SELECT actor, action, entity_id FROM audit_log ORDER BY id") == [
        (f"cli:{getpass.getuser()}", "change", "auth.role_map"),
        (f"cli:{getpass.getuser()}", "change", "auth.allow_public_local_mode"),
        (f"cli:{getpass.getuser()}", "reset", "auth.allow_public_local_mode")]
    db.close()


def test_a_bad_value_is_a_one_line_error(tmp_path, capsys):
    path = str(tmp_path / "cli.duckdb")
    assert main(["settings", "set", "auth.role_map", '{"ops": ["root"]}', "--db", path]) == 2
    assert capsys.readouterr().err == ("error: auth.role_map: 'ops' maps to unknown role(s) root; "
                                       "roles are manager, supervisor, leadership, admin.\n")
    assert main(["settings", "set", "no.such", "1", "--db", path]) == 2
    assert "Unknown setting 'no.such'" in capsys.readouterr().err
