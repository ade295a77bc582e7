"""Settings come from the environment; production-like values pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def run_check(tmp_path, extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
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
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args], env=env, capture_output=True, text=True, timeout=120
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


def test_debug_is_off_unless_asked(settings):
    # The test run itself does not set SALESDESK_DEBUG.
    assert os.environ.get("SALESDESK_DEBUG") is None
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
