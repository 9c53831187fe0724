"""The laptop's SQLite database (sessions, encrypted provider keys) is its owner's alone:
created 0600 in a 0700 directory, and SQLite's journal, -wal and -shm files with it, under
the usual umask 022. Run as `make run` does, in a fresh process on a fresh directory."""

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PLAYGROUND_")) and k != "DATABASE_URL"
    }
    env["DJANGO_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        # What a shell usually has: files 0644 and directories 0755 unless told otherwise.
        preexec_fn=lambda: os.umask(0o022),
    )


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_a_fresh_checkout_creates_its_database_0600_in_a_0700_directory(tmp_path):
    data_dir = tmp_path / "var"
    result = manage(data_dir, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    database = data_dir / "db.sqlite3"
    assert database.stat().st_size > 0, "migrate wrote into the file made for it"
    assert (mode(data_dir), mode(database)) == ("0o700", "0o600")

    previous = os.umask(0o022)
    try:
        # A rollback journal (SQLite's default) exists while a transaction writes.
        db = sqlite3.connect(database, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE probe (x)")
        assert mode(Path(f"{database}-journal")) == "0o600"
        db.execute("ROLLBACK")
        # Write-ahead logging: its -wal and -shm files while the connection is open.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE probe (x)")
        assert mode(Path(f"{database}-wal")) == "0o600"
        assert mode(Path(f"{database}-shm")) == "0o600"
        db.close()
    finally:
        os.umask(previous)

    # And the checkout still starts on it, as `make run` does next.
    assert manage(data_dir, "check").returncode == 0


def test_a_database_left_readable_by_an_older_checkout_is_narrowed(tmp_path):
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o700)
    database = data_dir / "db.sqlite3"
    database.touch(mode=0o644)
    Path(f"{database}-wal").touch(mode=0o644)
    database.chmod(0o644)
    result = manage(data_dir, "check")
    assert result.returncode == 0, result.stderr
    assert mode(database) == "0o600" and mode(Path(f"{database}-wal")) == "0o600"
