"""The reminder units in deploy/systemd: hardened like the backup unit (exposure below
3), running ``python -m metrics notify send|due``, with timers systemd understands."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

from metrics.cli import _parser
from tests.test_systemd_hardening import BELOW, EVERY_UNIT, SYSTEMD, _analyze, _exposure, _settings

SERVICE = SYSTEMD / "zhenggai-notify@.service"
TIMERS = {
    "send": SYSTEMD / "zhenggai-notify-send.timer",
    "due": SYSTEMD / "zhenggai-notify-due.timer",
}


def test_the_notify_unit_is_hardened_like_the_backup(tmp_path: Path) -> None:
    unit = tmp_path / "zhenggai-notify@send.service"
    shutil.copyfile(SERVICE, unit)
    score, output = _exposure(unit, tmp_path)
    assert score < BELOW, output
    settings = _settings(SERVICE)
    assert {key: settings.get(key, ["<missing>"])[-1] for key in EVERY_UNIT} == EVERY_UNIT
    backup = _settings(SYSTEMD / "zhenggai-backup.service")
    for key in (
        "MemoryDenyWriteExecute",
        "ProcSubset",
        "SystemCallFilter",
        "User",
        "StateDirectory",
    ):
        assert settings[key] == backup[key], key
    assert settings["EnvironmentFile"] == ["/etc/zhenggai/zhenggai.env"]
    assert "ReadWritePaths" not in settings  # only the store (StateDirectory)


def test_the_timers_run_the_notify_commands() -> None:
    (exec_start,) = _settings(SERVICE)["ExecStart"]
    tokens = shlex.split(exec_start)
    assert tokens[:4] == ["/opt/zhenggai/.venv/bin/python", "-m", "metrics", "notify"]
    for action, timer in TIMERS.items():
        settings = _settings(timer)
        assert settings["Unit"] == [f"zhenggai-notify@{action}.service"]
        assert settings["WantedBy"] == ["timers.target"]
        (calendar,) = settings["OnCalendar"]
        checked = subprocess.run(
            [_analyze(), "calendar", calendar], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr
        args = _parser().parse_args([*tokens[3:4], action])  # the command exists
        assert callable(args.run)
