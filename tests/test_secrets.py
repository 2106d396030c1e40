"""A database password never shows: not on the command line, in a message, or in a log
record (the pool's warnings included), whatever characters it holds.

``metrics.store.db_secrets`` checks a URL before libpq sees it (libpq quotes a malformed
URL's password in its errors, and the pool repeats them as warnings every few seconds),
masks passwords in messages, and filters psycopg's loggers. ``store migrate`` takes its
URL from the environment or a file and refuses a password on its command line.
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from metrics.store import db_secrets
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.db_secrets import (
    MASK,
    DatabaseUrlError,
    check_url,
    install_log_filter,
    mask,
    remember,
    url_from_env,
    url_from_file,
    url_password,
)
from metrics.store.postgres_backend import check_reachable, close_pools, pool_for
from metrics.store.versions import STORE_ENV
from tests.local_server import free_port

# Passwords as people write them into URLs by mistake (unencoded: libpq cannot read them
# as written, and its error would quote them) …
MALFORMED = [
    "pa ss word",
    "Xq9 Vb7  Kk3Lm5!",
    "p@ss/w?rd#1",
    "100%sure!",
    "geheim wörd 密码 1",
    "tab\tsep4rated",
]
# … odd, but read by libpq as written …
ODD_BUT_VALID = ["quote'and\"double", "colon:semi;comma,", "ünï-密码-2026"]
RAW_PASSWORDS = MALFORMED + ODD_BUT_VALID
# … and correctly percent-encoded.
ENCODED_PASSWORDS = ["s3cr3t-Sauce", "pa ss word", "p@ss/w?rd#1", "100%sure!", "密码 wörd"]


def _closed_port() -> int:
    return free_port()  # nothing listens there


def _raw_url(password: str, port: int) -> str:
    return f"postgresql://zhenggai:{password}@127.0.0.1:{port}/zhenggai"


def _encoded_url(password: str, port: int) -> str:
    quoted = urllib.parse.quote(password, safe="")
    return f"postgresql://zhenggai:{quoted}@127.0.0.1:{port}/zhenggai"


def _assert_hidden(password: str, *texts: str) -> None:
    """Neither the password (as written or encoded) nor a word of it (4 characters or
    more) is in any of ``texts``."""
    whole = [password, urllib.parse.quote(password, safe="")]
    words = [w for w in re.split(r"[\s/@?#:&=]+", password) if len(w) >= 4]
    for text in texts:
        for secret in whole:
            assert secret not in text, (secret, text)
        for word in words:
            assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), (word, text)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    yield
    close_pools()


# --- mask, check_url, url_password -------------------------------------------------------


@pytest.mark.parametrize("password", RAW_PASSWORDS + ENCODED_PASSWORDS)
def test_mask_hides_a_remembered_password_in_any_text(password: str) -> None:
    url = _raw_url(password, 5432)
    remember(url)
    decoded = urllib.parse.unquote(password)
    text = (
        f'error connecting: unexpected spaces found in "{password}"; url {url}; '
        f"decoded {decoded}; conninfo host=db password='{password}' user=z"
    )
    masked = mask(text)
    _assert_hidden(password, masked)
    _assert_hidden(decoded, masked)
    assert MASK in masked and "127.0.0.1" in masked


def test_mask_hides_passwords_it_was_never_told() -> None:
    assert mask("postgresql://u:hunter2@db:5432/x") == f"postgresql://u:{MASK}@db:5432/x"
    assert mask("postgresql://u:a@b@db/x") == f"postgresql://u:{MASK}@db/x"
    assert mask("postgresql://db/x?sslmode=require&password=hunter3") == (
        f"postgresql://db/x?sslmode=require&password={MASK}"
    )
    assert mask("host=db password='hun ter4' user=u") == f"host=db password={MASK} user=u"
    assert (
        mask("{'host': 'db', 'password': 'hunter5'}") == f"{{'host': 'db', 'password': '{MASK}'}}"
    )
    assert mask('password authentication failed for user "u"') == (
        'password authentication failed for user "u"'
    )


@pytest.mark.parametrize("password", MALFORMED)
def test_check_url_refuses_unencoded_characters_naming_no_part_of_them(password: str) -> None:
    with pytest.raises(DatabaseUrlError) as refused:
        check_url(_raw_url(password, 5432))
    _assert_hidden(password, str(refused.value))
    assert isinstance(refused.value, psycopg.Error)  # every caller reports database errors


@pytest.mark.parametrize(
    ("password", "url"),
    [(p, _encoded_url(p, 5432)) for p in ENCODED_PASSWORDS]
    + [(p, _raw_url(p, 5432)) for p in ODD_BUT_VALID],
)
def test_check_url_accepts_what_libpq_reads_as_written(password: str, url: str) -> None:
    check_url(url)
    assert url_password(url) == password
    assert psycopg.conninfo.conninfo_to_dict(url)["password"] == password


def test_url_password() -> None:
    assert url_password("postgresql://u@db/x") is None
    assert url_password("postgresql://u:@db/x") is None
    assert url_password("postgresql://db/x") is None
    assert url_password("postgresql://u:p%20w@db/x") == "p w"
    assert url_password("postgresql://u@db/x?password=q%40") == "q@"


def test_url_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _encoded_url("pa ss", 5432)
    assert url_from_env(DATABASE_URL_ENV, {DATABASE_URL_ENV: f" {url}\n"}) == url
    with pytest.raises(DatabaseUrlError, match="未设置"):
        url_from_env("ZHENGGAI_NO_SUCH_VARIABLE", {})
    bare = tmp_path / "url"
    bare.write_text(f"# the target\n\n{url}\n", encoding="utf-8")
    assert url_from_file(bare) == url
    env_file = tmp_path / "zhenggai.env"
    env_file.write_text(
        f"ZHENGGAI_STORE=/var/lib/zhenggai/store\n#{DATABASE_URL_ENV}=postgresql://old\n"
        f'{DATABASE_URL_ENV}="{url}"\n',
        encoding="utf-8",
    )
    assert url_from_file(env_file) == url
    monkeypatch.setattr(sys, "stdin", io.StringIO(url + "\n"))
    assert url_from_file("-") == url
    with pytest.raises(DatabaseUrlError, match="无法读取"):
        url_from_file(tmp_path / "missing")
    (tmp_path / "empty").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(DatabaseUrlError, match="没有数据库地址"):
        url_from_file(tmp_path / "empty")


# --- the pool and its warnings -----------------------------------------------------------


@pytest.mark.parametrize("password", MALFORMED)
def test_pool_for_refuses_a_malformed_url_at_once_and_logs_nothing(
    password: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    with pytest.raises(DatabaseUrlError) as refused:
        pool_for(_raw_url(password, _closed_port()))
    assert time.monotonic() - started < 2  # not the pool's 30 s of retries
    _assert_hidden(password, str(refused.value), caplog.text)
    with pytest.raises(DatabaseUrlError) as again:
        check_reachable(_raw_url(password, _closed_port()))
    _assert_hidden(password, str(again.value))


def test_pool_warnings_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    """psycopg_pool's own warnings (``error connecting in 'zhenggai': …``), for a URL that
    slipped past the check, reach the log with the password masked."""
    password = "pa ss word"
    url = _raw_url(password, _closed_port())
    remember(url)
    install_log_filter()
    caplog.set_level(logging.INFO, logger="psycopg.pool")
    pool: ConnectionPool[psycopg.Connection[tuple[object, ...]]] = ConnectionPool(
        url, min_size=1, max_size=1, open=True, name="zhenggai", reconnect_timeout=3
    )
    try:
        deadline = time.monotonic() + 10
        while not any("error connecting" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.1)
    finally:
        pool.close(timeout=1)
    warnings = [r for r in caplog.records if "error connecting" in r.getMessage()]
    assert warnings and all(MASK in r.getMessage() for r in warnings)
    _assert_hidden(password, caplog.text)


def test_log_filter_masks_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = "tr ace back"
    remember(_raw_url(password, 1))
    install_log_filter()
    install_log_filter()  # idempotent
    logger = logging.getLogger("psycopg.pool")
    assert logger.filters.count(db_secrets._FILTER) == 1
    caplog.set_level(logging.INFO, logger="psycopg.pool")
    try:
        raise RuntimeError(f'unexpected spaces found in "{password}"')
    except RuntimeError:
        logger.warning("error connecting in %r: %s", "zhenggai", password, exc_info=True)
    logger.warning("url %s", "postgresql://u:plain-secret@db/x")
    _assert_hidden(password, caplog.text)
    assert "plain-secret" not in caplog.text and "RuntimeError" in caplog.text


# --- store migrate -----------------------------------------------------------------------


def _migrate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
    return subprocess.run(
        [sys.executable, "-m", "metrics", "store", "migrate", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**base, "PYTHONIOENCODING": "utf-8", STORE_ENV: "/nonexistent", **(env or {})},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("password", ["hunter2", *RAW_PASSWORDS[:3]])
def test_migrate_refuses_a_password_on_the_command_line(password: str) -> None:
    for url in (_raw_url(password, 5432), _encoded_url(password, 5432)):
        done = _migrate("--to", url)
        assert done.returncode == 2
        assert "含有密码" in done.stderr and "--to-env" in done.stderr
        _assert_hidden(password, done.stdout, done.stderr)


# One of each kind (each case starts four processes).
CLI_PASSWORDS = ["pa ss word", "p@ss/w?rd#1", "100%sure!", "geheim wörd 密码 1", ODD_BUT_VALID[0]]


@pytest.mark.parametrize("password", CLI_PASSWORDS)
def test_migrate_from_env_or_file_never_prints_the_password(password: str, tmp_path: Path) -> None:
    port = _closed_port()
    refused = "须按百分号编码" if password in MALFORMED else "无法使用目标数据库"
    for url, expected in (
        (_raw_url(password, port), refused),
        (_encoded_url(password, port), "无法使用目标数据库"),
    ):
        started = time.monotonic()
        by_env = _migrate("--to-env", env={DATABASE_URL_ENV: url})
        target = tmp_path / "target.env"
        target.write_text(f"{DATABASE_URL_ENV}={url}\n", encoding="utf-8")
        by_file = _migrate("--to-file", str(target))
        assert time.monotonic() - started < 30  # no pool retrying for 30 s each
        for done in (by_env, by_file):
            assert done.returncode == 1, done.stderr
            assert expected in done.stderr
            _assert_hidden(password, done.stdout, done.stderr)
