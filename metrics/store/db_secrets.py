"""Database URLs are secrets: where they are read from, how they are checked, and how
they are shown.

A PostgreSQL URL may carry a password (``postgresql://user:password@host/db`` or
``?password=…``). It must never reach a command line (other users see the process list),
a message or a log record (the journal keeps them):

- ``url_from_env`` / ``url_from_file``: the URL from an environment variable or a file
  (``store migrate --to-env`` / ``--to-file``), never from the command line;
- ``check_url``: the URL checked before libpq sees it. libpq quotes the faulty part of a
  malformed URL in its error (``unexpected spaces found in "<password>"``), and the
  connection pool repeats that error as a warning every few seconds; ``check_url``
  refuses such a URL with a message that names no part of it;
- ``mask``: a text with every password replaced by ``******``: URL credentials,
  ``password=…`` pairs, and every password ``remember`` was told (also as percent-decoded
  and in pieces, as libpq quotes fragments);
- ``install_log_filter``: a ``logging.Filter`` on psycopg's loggers (the pool's warnings
  included) applying ``mask`` to every record, its traceback too.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

import psycopg

from metrics.store.backend import DATABASE_URL_ENV

MASK = "******"
# The loggers of psycopg and its pool ("error connecting in 'zhenggai': …").
PSYCOPG_LOGGERS = ("psycopg", "psycopg.pool", "psycopg.pq", "psycopg.debug")
# Characters that end a URL's credentials for libpq (or the URL's parsers): in a user
# name or password they must be percent-encoded (space %20, @ %40, / %2F …).
_NEEDS_ENCODING = re.compile(r"[\s/@?#\[\]]|%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^(postgres(?:ql)?)://", re.IGNORECASE)
# scheme://user:PASSWORD@ in any text: greedy up to the last "@" of the token, so that an
# unencoded "@" in the password does not leave its tail visible.
_URL_CREDENTIALS = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)\S*@")
# password=… in a query string or a libpq keyword/value string (quoted or not), and
# 'password': '…' in a printed dict.
_PASSWORD_PAIR = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"]+)", re.IGNORECASE)
_PASSWORD_ITEM = re.compile(r"""(['"]password['"]\s*:\s*)(['"])(?:(?!\2).)*\2""", re.IGNORECASE)
# Pieces of a remembered password shorter than this are not masked on their own (they
# would garble ordinary words); the whole password always is.
_MIN_PIECE = 3

# Passwords (masked wherever they occur) and pieces of them (masked as whole words only:
# a piece "word" of "pass word" must not turn "password" into "pass******").
_known: set[str] = set()
_pieces: set[str] = set()
_known_lock = threading.Lock()


class DatabaseUrlError(psycopg.ProgrammingError):
    """A database URL that cannot be used, or cannot be read; ``str(error)`` is a Chinese
    message naming no part of the URL's password. A ``psycopg.Error``, so that every
    caller that reports database errors reports this one too."""


def _credentials(url: str) -> tuple[str, str | None] | None:
    """The raw (still percent-encoded) user name and password of a URL, as written:
    everything between ``scheme://`` and the LAST ``@`` (a password may hold an unencoded
    ``@`` or ``/`` by mistake). ``None`` without credentials."""
    match = _SCHEME.match(url)
    if match is None:
        return None
    rest = url[match.end() :]
    if "@" not in rest:
        return None
    userinfo = rest[: rest.rfind("@")]
    user, colon, password = userinfo.partition(":")
    return user, (password if colon else None)


def _query_passwords(url: str) -> list[str]:
    """Raw values of ``password=`` in a URL's query string (or keyword/value string)."""
    values = []
    for match in _PASSWORD_PAIR.finditer(url):
        value = match.group(2)
        values.append(value[1:-1] if value.startswith("'") else value)
    return values


def url_password(url: str) -> str | None:
    """The password a URL carries (percent-decoded), or ``None`` if it carries none."""
    found = _credentials(url)
    if found is not None and found[1]:
        return urllib.parse.unquote(found[1])
    for value in _query_passwords(url):
        if value:
            return urllib.parse.unquote(value)
    return None


def remember(url: str) -> None:
    """Remember the passwords in ``url``, so that ``mask`` hides them wherever they occur
    (whole, percent-decoded, and in pieces as libpq quotes them)."""
    raw = []
    found = _credentials(url)
    if found is not None and found[1]:
        raw.append(found[1])
    raw += [value for value in _query_passwords(url) if value]
    whole: set[str] = set()
    pieces: set[str] = set()
    for value in raw:
        for form in (value, urllib.parse.unquote(value)):
            whole.add(form)
            pieces.update(
                piece for piece in re.split(r"[\s/@?#:&=]+", form) if len(piece) >= _MIN_PIECE
            )
    whole.discard("")
    with _known_lock:
        _known.update(whole)
        _pieces.update(pieces - whole)


def mask(text: str) -> str:
    """``text`` with passwords replaced by ``******``: URL credentials, ``password=``
    pairs, and every password ``remember`` has seen."""
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    text = _PASSWORD_PAIR.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _PASSWORD_ITEM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
        pieces = sorted(_pieces, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for piece in pieces:
        if piece in text:
            text = re.sub(rf"(?<!\w){re.escape(piece)}(?!\w)", MASK, text)
    return text


def check_url(url: str) -> None:
    """Raise ``DatabaseUrlError`` unless libpq can parse ``url`` without quoting any part
    of its credentials back; remember its password for ``mask`` either way."""
    remember(url)
    found = _credentials(url)
    if found is not None:
        user, password = found
        if password is not None and _NEEDS_ENCODING.search(password):
            raise DatabaseUrlError(
                "数据库地址中的密码含有须按百分号编码的字符（空格、/、?、#、@、[、]、% 等；"
                "例如空格写作 %20，@ 写作 %40，/ 写作 %2F）"
            )
        if _NEEDS_ENCODING.search(user):
            raise DatabaseUrlError(
                "数据库地址中的用户名含有须按百分号编码的字符（空格、/、?、#、@、[、]、% 等）"
            )
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise DatabaseUrlError(f"数据库地址无法解析：{mask(str(exc)).strip()}") from None
    port = str(info.get("port") or "")
    if port and not all(part.strip().isdigit() for part in port.split(",")):
        raise DatabaseUrlError("数据库地址中的端口不是数字（密码中的 / 等字符须按百分号编码）")


def _env_value(text: str, name: str) -> str:
    """A line's value: ``NAME=value`` (an environment file) gives ``value``, unquoted."""
    prefix = f"{name}="
    if text.startswith(prefix):
        text = text[len(prefix) :].strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1]
    return text


def url_from_env(name: str = DATABASE_URL_ENV, environ: Mapping[str, str] | None = None) -> str:
    """The URL in the environment variable ``name``."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if not value:
        raise DatabaseUrlError(f"环境变量 {name} 未设置或为空：请在其中写入数据库地址")
    return value


def url_from_file(path: str | os.PathLike[str]) -> str:
    """The URL in a file: its ``ZHENGGAI_DATABASE_URL=…`` line (an environment file such
    as /etc/zhenggai/zhenggai.env) or else its first line that is neither blank nor a
    ``#`` comment. ``-`` reads standard input."""
    where = os.fspath(path)
    try:
        text = sys.stdin.read() if where == "-" else Path(where).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "不是 UTF-8 文本"
        raise DatabaseUrlError(f"无法读取数据库地址文件“{where}”：{reason}") from None
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    named = [line for line in lines if line.startswith(f"{DATABASE_URL_ENV}=")]
    chosen = (named or lines or [""])[0]
    value = _env_value(chosen, DATABASE_URL_ENV)
    if not value:
        raise DatabaseUrlError(f"数据库地址文件“{where}”中没有数据库地址")
    return value


class MaskSecrets(logging.Filter):
    """Apply ``mask`` to a record's message, arguments, traceback and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
            record.exc_info = None  # formatters print exc_text; never the raw exception
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


_FILTER = MaskSecrets()


def install_log_filter(names: tuple[str, ...] = PSYCOPG_LOGGERS) -> None:
    """Put the masking filter on psycopg's loggers (once; idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
