import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from library.settings import BASE_DIR


def run_settings(env: dict, code: str) -> str:
    """Import the settings module in a clean process with only the given environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIBRARY_", "DATABASE_", "DJANGO_ALLOW_ASYNC"))
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "library.settings"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=clean,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_default_is_sqlite_under_the_data_dir_with_debug_off(tmp_path):
    out = run_settings(
        {"LIBRARY_DATA_DIR": str(tmp_path)},
        "from django.conf import settings as s; db=s.DATABASES['default'];"
        "print(db['ENGINE'], db['NAME'], s.DEBUG, s.HAYSTACK_CONNECTIONS['default']['PATH'],"
        " s.MEDIA_ROOT)",
    )
    engine, name, debug, index, media = out.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "library.sqlite3")
    assert debug == "False"
    assert index.startswith(str(tmp_path)) and media.startswith(str(tmp_path))


def test_sqlite_runs_in_wal_mode(tmp_path):
    out = run_settings(
        {"LIBRARY_DATA_DIR": str(tmp_path)},
        "from django.db import connection; c=connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
    )
    assert out == "wal"


def test_database_url_selects_postgresql(tmp_path):
    out = run_settings(
        {
            "LIBRARY_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://bibliotheque:pw@127.0.0.1:5433/thuvien",
        },
        "from django.conf import settings as s; db=s.DATABASES['default'];"
        "print(db['ENGINE'], db['NAME'], db['PORT'])",
    )
    assert out == "django.db.backends.postgresql thuvien 5433"


def test_debug_only_when_asked(tmp_path):
    out = run_settings(
        {"LIBRARY_DATA_DIR": str(tmp_path), "LIBRARY_DEBUG": "1"},
        "from django.conf import settings as s; print(s.DEBUG)",
    )
    assert out == "True"


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIBRARY_", "DATABASE_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        {
            "LIBRARY_DATA_DIR": str(tmp_path),
            "LIBRARY_SECRET_KEY": "x7#kq!2vZ9$wLp@4rT8&nB3^mC6*hF1(jD5)sG0-aE_yU=iO+Qm4%Vb8~Nc2",
            "LIBRARY_ALLOWED_HOSTS": "thuvien.example.edu.vn",
            "DJANGO_SETTINGS_MODULE": "library.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_language_and_time_zone_are_vietnamese():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


@pytest.mark.django_db
def test_the_suite_database_is_the_configured_one():
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected
