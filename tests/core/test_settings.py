"""Settings come from the environment; production-like values pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def clean_env(tmp_path, extra_env: dict[str, str]) -> dict[str, str]:
    """The test run's environment without its Salesdesk and Django settings, plus ``extra_env``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SALESDESK_", "SECRET_KEY", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "SALESDESK_DATA_DIR": str(tmp_path / "data"),
            "PYTHONPATH": SRC,
            "DJANGO_SETTINGS_MODULE": "salesdesk.config.settings",
            **extra_env,
        }
    )
    return env


def run_check(tmp_path, extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args],
        env=clean_env(tmp_path, extra_env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_values(tmp_path):
    result = run_check(
        tmp_path,
        {
            "SECRET_KEY": "x" * 20 + "-production-secret-from-the-vault-0123456789",
            "ALLOWED_HOSTS": "salesdesk.example.com",
            "SALESDESK_HTTPS": "1",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_deploy_check_warns_on_laptop_defaults(tmp_path):
    # Plain HTTP without HSTS is fine on a laptop but must not pass as production.
    result = run_check(tmp_path, {}, "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


def test_secret_key_is_generated_once_into_the_data_folder(tmp_path):
    assert run_check(tmp_path, {}).returncode == 0
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run_check(tmp_path, {}).returncode == 0
    assert key_file.read_text() == first


def run_python(tmp_path, extra_env: dict[str, str], code: str) -> list[str]:
    """Run ``code`` after django.setup() in a fresh interpreter; its printed lines."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=clean_env(tmp_path, extra_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_debug_is_off_unless_asked(tmp_path):
    # given a server started without SALESDESK_DEBUG, and one started with it
    code = "from django.conf import settings; print(settings.DEBUG)"
    # when each prints its DEBUG setting
    default = run_python(tmp_path, {}, code)
    asked = run_python(tmp_path, {"SALESDESK_DEBUG": "1"}, code)
    # then only the one that asked runs in debug mode
    assert default == ["False"]
    assert asked == ["True"]


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    # given the default database: a SQLite file in the data folder
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
        "    cursor.execute('PRAGMA busy_timeout')\n"
        "    print(cursor.fetchone()[0])\n"
        "print(connection.vendor, connection.transaction_mode)\n"
        "print(connection.settings_dict['NAME'])\n"
    )
    # when a connection is opened
    journal_mode, busy_timeout, mode, name = run_python(tmp_path, {}, code)
    # then it runs in WAL mode, waits up to 20 s for the lock and starts writes immediately
    assert journal_mode == "wal"
    assert busy_timeout == "20000"
    assert mode == "sqlite IMMEDIATE"
    assert name == str((tmp_path / "data" / "salesdesk.sqlite3").resolve())
