"""Deployment settings of reminders: environment variables and the recipients file.

Off unless ``ZHENGGAI_NOTIFY=1``. Mail needs ``ZHENGGAI_SMTP_HOST`` and
``ZHENGGAI_SMTP_FROM``; who receives what is in a TOML file named by
``ZHENGGAI_NOTIFY_RECIPIENTS`` (``recipients.read_recipients``: each unit's addresses
and group robot, and one group robot for everyone). A malformed value never stops the
dashboard: it keeps its default (or the channel stays off) and a Chinese line says so,
naming the variable but never a password, a robot's address or its secret.
"""

from __future__ import annotations

import email.utils
import enum
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from metrics.notify.recipients import (
    MAIL_ADDRESS,
    Recipients,
    UnitRecipients,
    Webhook,
    read_recipients,
)
from metrics.rounds.units import unit_key

ENABLE_ENV = "ZHENGGAI_NOTIFY"
BASE_URL_ENV = "ZHENGGAI_NOTIFY_BASE_URL"
DUE_DAYS_ENV = "ZHENGGAI_NOTIFY_DUE_DAYS"
TIMEOUT_ENV = "ZHENGGAI_NOTIFY_TIMEOUT"
RECIPIENTS_ENV = "ZHENGGAI_NOTIFY_RECIPIENTS"
SMTP_HOST_ENV = "ZHENGGAI_SMTP_HOST"
SMTP_PORT_ENV = "ZHENGGAI_SMTP_PORT"
SMTP_SECURITY_ENV = "ZHENGGAI_SMTP_SECURITY"
SMTP_USER_ENV = "ZHENGGAI_SMTP_USER"
SMTP_PASSWORD_ENV = "ZHENGGAI_SMTP_PASSWORD"
SMTP_PASSWORD_FILE_ENV = "ZHENGGAI_SMTP_PASSWORD_FILE"
SMTP_FROM_ENV = "ZHENGGAI_SMTP_FROM"
SMTP_CA_FILE_ENV = "ZHENGGAI_SMTP_CA_FILE"
VARIABLES = (
    ENABLE_ENV,
    BASE_URL_ENV,
    DUE_DAYS_ENV,
    TIMEOUT_ENV,
    RECIPIENTS_ENV,
    SMTP_HOST_ENV,
    SMTP_PORT_ENV,
    SMTP_SECURITY_ENV,
    SMTP_USER_ENV,
    SMTP_PASSWORD_ENV,
    SMTP_PASSWORD_FILE_ENV,
    SMTP_FROM_ENV,
    SMTP_CA_FILE_ENV,
)

DEFAULT_DUE_DAYS = 3
DEFAULT_TIMEOUT = 10.0
MASK = "******"
_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

_log = logging.getLogger(__name__)


class Security(enum.StrEnum):
    STARTTLS = "starttls"  # plain connection, then STARTTLS (port 587)
    SSL = "ssl"  # TLS from the start (port 465)
    NONE = "none"  # no encryption (an intranet relay on port 25)

    @property
    def default_port(self) -> int:
        return {"starttls": 587, "ssl": 465, "none": 25}[self.value]


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int
    security: Security
    sender: str  # the From header: "整改办 <zgb@example.cn>" or an address
    user: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""  # a CA bundle for an intranet server's certificate

    @property
    def sender_address(self) -> str:
        return email.utils.parseaddr(self.sender)[1]


@dataclass(frozen=True, slots=True)
class NotifySettings:
    enabled: bool = False
    base_url: str = ""  # https://zg.example (links in messages); "" → no links
    due_days: int = DEFAULT_DUE_DAYS  # remind this many days before the due date (0: never)
    timeout: float = DEFAULT_TIMEOUT  # seconds for each connection to a mail server or robot
    smtp: Smtp | None = None
    recipients: Recipients = field(default_factory=Recipients)

    @property
    def active(self) -> bool:
        """Enabled, with at least one way to send."""
        return self.enabled and (self.smtp is not None or self.recipients.has_webhooks)

    def mail_for(self, unit: str) -> tuple[str, ...]:
        if self.smtp is None:
            return ()
        return self.recipients.units.get(unit_key(unit), _NOBODY).mail

    def webhook(self, recipient: str) -> Webhook | None:
        """The robot a queued row names: ``group`` or ``unit:<name>``."""
        if recipient == "group":
            return self.recipients.group
        if recipient.startswith("unit:"):
            return self.recipients.units.get(unit_key(recipient[5:]), _NOBODY).webhook
        return None

    def secrets(self) -> tuple[str, ...]:
        """Everything to mask in a message, a log line or a page."""
        found = [self.smtp.password] if self.smtp is not None and self.smtp.password else []
        return tuple(found) + self.recipients.secrets()

    def describe(self) -> list[str]:
        """The settings in words, without any secret (``notify status``)."""
        if not self.enabled:
            return [f"提醒未开启（设 {ENABLE_ENV}=1 开启）"]
        lines = ["提醒已开启"]
        if self.smtp is None:
            lines.append("邮件：未设置（ZHENGGAI_SMTP_HOST、ZHENGGAI_SMTP_FROM）")
        else:
            s = self.smtp
            login = f"，登录名 {s.user}，密码 {MASK if s.password else '（无）'}" if s.user else ""
            lines.append(f"邮件：{s.host}:{s.port}（{s.security}），发件人 {s.sender}{login}")
        lines.extend(self.recipients.describe())
        lines.append(f"链接：{self.base_url or '（未设置，提醒中不带链接）'}")
        lines.append(
            f"到期提醒：截止前 {self.due_days} 天" if self.due_days else "到期提醒：不发送"
        )
        lines.append(f"每次连接的超时：{self.timeout:g} 秒")
        return lines


_NOBODY = UnitRecipients()


def parse_settings(environ: Mapping[str, str] | None = None) -> tuple[NotifySettings, list[str]]:
    """The settings, and a Chinese line for each malformed one."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    raw = env.get(ENABLE_ENV, "").strip().lower()
    if raw not in _TRUE + _FALSE:
        problems.append(
            f"环境变量 {ENABLE_ENV}={_shown(raw)} 应为 1 或 0，已按 0（不发送提醒）处理"
        )
    enabled = raw in _TRUE
    base_url = _base_url(env, problems)
    due_days = _number(env, DUE_DAYS_ENV, DEFAULT_DUE_DAYS, 0, 60, problems, whole=True)
    timeout = _number(env, TIMEOUT_ENV, DEFAULT_TIMEOUT, 1, 120, problems, whole=False)
    smtp = _smtp(env, problems)
    recipients = Recipients()
    path = env.get(RECIPIENTS_ENV, "").strip()
    if path:
        recipients, found = read_recipients(Path(path))
        problems += found
    settings = NotifySettings(enabled, base_url, int(due_days), timeout, smtp, recipients)
    if enabled and not settings.active:
        problems.append(
            f"已开启提醒（{ENABLE_ENV}=1），但没有可用的邮件服务器或群机器人：不会发送任何提醒"
        )
    if enabled and smtp is not None and not recipients.units:
        problems.append(f"设置了邮件服务器，但没有收件人（{RECIPIENTS_ENV} 文件中的 [units]）")
    return settings, problems


def _shown(raw: str) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in raw)
    return f"“{text[:40]}”"


def _base_url(env: Mapping[str, str], problems: list[str]) -> str:
    raw = env.get(BASE_URL_ENV, "").strip()
    if not raw:
        return ""
    match = re.fullmatch(r"(https?://[A-Za-z0-9.\-\[\]:]+)(/[A-Za-z0-9._~/%-]*)?", raw)
    if match is None:
        problems.append(
            f"环境变量 {BASE_URL_ENV}={_shown(raw)} 不是看板的网址（如 https://zg.example），"
            "提醒中不带链接"
        )
        return ""
    return raw.rstrip("/")


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    low: float,
    high: float,
    problems: list[str],
    *,
    whole: bool,
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        kind = "整数" if whole else "数"
        problems.append(
            f"环境变量 {name}={_shown(raw)} 应为 {low:g} 到 {high:g} 之间的{kind}，"
            f"已使用默认值 {default:g}"
        )
        return default
    return value


def _smtp(env: Mapping[str, str], problems: list[str]) -> Smtp | None:
    host = env.get(SMTP_HOST_ENV, "").strip()
    if not host:
        return None
    if not _HOST.fullmatch(host):
        problems.append(f"环境变量 {SMTP_HOST_ENV}={_shown(host)} 不是主机名或地址：不发送邮件")
        return None
    raw = env.get(SMTP_SECURITY_ENV, "").strip().lower() or Security.STARTTLS.value
    try:
        security = Security(raw)
    except ValueError:
        problems.append(
            f"环境变量 {SMTP_SECURITY_ENV}={_shown(raw)} 应为 starttls、ssl 或 none，"
            "已使用默认值 starttls"
        )
        security = Security.STARTTLS
    port = int(_number(env, SMTP_PORT_ENV, security.default_port, 1, 65535, problems, whole=True))
    sender = " ".join(env.get(SMTP_FROM_ENV, "").split())
    if not sender:
        problems.append(f"设置了 {SMTP_HOST_ENV}，但没有设置发件人 {SMTP_FROM_ENV}：不发送邮件")
        return None
    if not MAIL_ADDRESS.fullmatch(email.utils.parseaddr(sender)[1]) or len(sender) > 200:
        problems.append(
            f"环境变量 {SMTP_FROM_ENV}={_shown(sender)} 不是邮件地址"
            "（如 zgb@example.cn 或 整改办 <zgb@example.cn>）：不发送邮件"
        )
        return None
    user = env.get(SMTP_USER_ENV, "").strip()
    password = _password(env, problems)
    ca_file = env.get(SMTP_CA_FILE_ENV, "").strip()
    if ca_file and not Path(ca_file).is_file():
        problems.append(f"环境变量 {SMTP_CA_FILE_ENV} 指向的文件“{ca_file}”不存在：使用系统证书")
        ca_file = ""
    if password and not user:
        problems.append(f"设置了邮件密码，但没有设置登录名 {SMTP_USER_ENV}：不登录")
    return Smtp(host, port, security, sender, user, password, ca_file)


def _password(env: Mapping[str, str], problems: list[str]) -> str:
    """From the file (first line) if one is named, else the variable; never shown."""
    path = env.get(SMTP_PASSWORD_FILE_ENV, "").strip()
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "无法读取"
            problems.append(f"无法读取邮件密码文件“{path}”（{why}）：不带密码登录")
            return ""
        return lines[0].strip() if lines else ""
    return env.get(SMTP_PASSWORD_ENV, "").strip()


# -- the process's settings -------------------------------------------------------------------

_cache: dict[tuple[object, ...], tuple[NotifySettings, tuple[str, ...]]] = {}
_logged: set[str] = set()


def current() -> tuple[NotifySettings, tuple[str, ...]]:
    """The settings of this process's environment, read again whenever a variable or
    the recipients or password file changes; each problem is logged once."""
    signature = (
        *(os.environ.get(name, "") for name in VARIABLES),
        _stamp(os.environ.get(RECIPIENTS_ENV, "")),
        _stamp(os.environ.get(SMTP_PASSWORD_FILE_ENV, "")),
    )
    found = _cache.get(signature)
    if found is None:
        settings, problems = parse_settings()
        found = (settings, tuple(problems))
        _cache.clear()
        _cache[signature] = found
        for problem in problems:
            if problem not in _logged:
                _logged.add(problem)
                _log.warning("提醒设置：%s", problem)
    return found


def settings_now() -> NotifySettings:
    return current()[0]


def _stamp(path: str) -> tuple[int, int] | None:
    if not path.strip():
        return None
    try:
        stat = os.stat(path.strip())
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def mask(text: str, settings: NotifySettings) -> str:
    """``text`` with every secret of ``settings`` and any token-like query value hidden."""
    for secret in sorted(settings.secrets(), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return re.sub(
        r"(?i)\b(access_token|key|sign|secret|token|password|timestamp)=[^&\s'\"]+",
        rf"\1={MASK}",
        text,
    )
