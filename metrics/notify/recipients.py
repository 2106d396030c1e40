"""Who receives reminders: a TOML file named by ``ZHENGGAI_NOTIFY_RECIPIENTS``.

    # /etc/zhenggai/notify.toml (owner root, group zhenggai, mode 0640: robot
    # addresses carry their access token)
    [group]                                   # optional: one work group for every unit
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=…"
    format = "dingtalk"                       # or "wecom" (企业微信); default: by address
    secret = "SEC…"                           # 钉钉 加签 (optional)
    keyword = "整改提醒"                       # 钉钉 自定义关键词 (optional)

    [units."区教育局"]
    mail = ["zhao@edu.example.cn", "qian@edu.example.cn"]
    webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"

Unit names are matched as the data writes them (full-width forms and spaces ignored).
Anything malformed is skipped with a Chinese line that names the entry but never a
robot's address or secret.
"""

from __future__ import annotations

import enum
import re
import tomllib
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from metrics.rounds.units import unit_key

MAX_FILE_BYTES = 1024 * 1024
MAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_ROBOT_KEYS = frozenset({"webhook", "format", "secret", "keyword"})


class WebhookFormat(enum.StrEnum):
    WECOM = "wecom"  # 企业微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 custom robot

    @property
    def label(self) -> str:
        return "企业微信群机器人" if self is WebhookFormat.WECOM else "钉钉群机器人"


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str = field(repr=False)  # holds the robot's access token
    format: WebhookFormat = WebhookFormat.WECOM
    secret: str = field(default="", repr=False)  # 钉钉 加签
    keyword: str = ""  # 钉钉 自定义关键词: every message must contain it

    def secrets(self) -> tuple[str, ...]:
        query = urllib.parse.urlsplit(self.url).query
        values = [v for _, v in urllib.parse.parse_qsl(query) if len(v) >= 6]
        return tuple(s for s in (self.url, query, self.secret, *values) if s)


@dataclass(frozen=True, slots=True)
class UnitRecipients:
    name: str = ""  # as the file writes it
    mail: tuple[str, ...] = ()
    webhook: Webhook | None = None


@dataclass(frozen=True, slots=True)
class Recipients:
    units: Mapping[str, UnitRecipients] = field(
        default_factory=lambda: MappingProxyType({})
    )  # unit_key(name) → its recipients
    group: Webhook | None = None

    @property
    def has_webhooks(self) -> bool:
        return self.group is not None or any(u.webhook for u in self.units.values())

    def secrets(self) -> tuple[str, ...]:
        hooks = [self.group] + [u.webhook for u in self.units.values()]
        return tuple(s for hook in hooks if hook is not None for s in hook.secrets())

    def describe(self) -> list[str]:
        lines = []
        if self.group is not None:
            signed = "，已设加签" if self.group.secret else ""
            lines.append(f"工作群：{self.group.format.label}{signed}")
        mails = sum(len(u.mail) for u in self.units.values())
        hooks = sum(1 for u in self.units.values() if u.webhook is not None)
        lines.append(
            f"单位接收人：{len(self.units)} 个单位，{mails} 个邮件地址，{hooks} 个单位群机器人"
        )
        return lines


def read_recipients(path: Path) -> tuple[Recipients, list[str]]:
    """The recipients in ``path``, and a Chinese line for each problem."""
    where = f"接收人文件“{path}”"
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return Recipients(), [
            f"无法读取{where}（{exc.strerror or '无法打开'}）：只发往已设置的渠道"
        ]
    if len(data) > MAX_FILE_BYTES:
        return Recipients(), [f"{where}超过 1 MB，未读取"]
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return Recipients(), [f"{where}不是 UTF-8 文本，未读取"]
    except tomllib.TOMLDecodeError as exc:
        return Recipients(), [f"{where}不是有效的 TOML（{exc}），未读取"]
    problems: list[str] = []
    for key in sorted(set(parsed) - {"group", "units"}):
        problems.append(f"{where}中有不认识的项“{key}”（只认 [group] 和 [units.单位名称]），已忽略")
    group = None
    if "group" in parsed:
        group = _robot(parsed["group"], f"{where}的 [group]", problems)
    units: dict[str, UnitRecipients] = {}
    table = parsed.get("units", {})
    if not isinstance(table, dict):
        problems.append(f'{where}的 units 应是表（[units."单位名称"]），已忽略')
        table = {}
    for name, entry in table.items():
        label = f'{where}的 [units."{name}"]'
        if not isinstance(entry, dict):
            problems.append(f'{label} 应是表（mail = [...]、webhook = "…"），已忽略')
            continue
        for key in sorted(set(entry) - _ROBOT_KEYS - {"mail"}):
            problems.append(f"{label} 中有不认识的项“{key}”，已忽略")
        mail = _addresses(entry.get("mail", []), label, problems)
        hook = _robot(entry, label, problems) if "webhook" in entry else None
        if unit_key(name) in units:
            problems.append(f"{label} 与前面的单位重复，已忽略")
            continue
        units[unit_key(name)] = UnitRecipients(str(name), mail, hook)
    return Recipients(MappingProxyType(units), group), problems


def _addresses(raw: object, label: str, problems: list[str]) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        problems.append(f"{label} 的 mail 应是邮件地址或地址列表，已忽略")
        return ()
    found: list[str] = []
    for item in items:
        address = item.strip() if isinstance(item, str) else ""
        if not MAIL_ADDRESS.fullmatch(address) or len(address) > 254:
            shown = "".join(ch if ch.isprintable() else "?" for ch in str(item))[:60]
            problems.append(f"{label} 的 mail 中“{shown}”不是邮件地址，已忽略")
        elif address.lower() not in {a.lower() for a in found}:
            found.append(address)
    return tuple(found)


def _robot(raw: object, label: str, problems: list[str]) -> Webhook | None:
    if not isinstance(raw, dict):
        problems.append(f'{label} 应是表（webhook = "…"），已忽略')
        return None
    if label.endswith("[group]"):
        for key in sorted(set(raw) - _ROBOT_KEYS):
            problems.append(f"{label} 中有不认识的项“{key}”，已忽略")
    url = raw.get("webhook")
    if not isinstance(url, str) or not _is_url(url.strip()):
        # Never quote the value: a robot's address carries its access token.
        problems.append(f"{label} 的 webhook 不是 http(s) 地址，已忽略这个群机器人")
        return None
    url = url.strip()
    format_raw = raw.get("format")
    if format_raw is None:
        host = urllib.parse.urlsplit(url).hostname or ""
        kind = WebhookFormat.DINGTALK if "dingtalk" in host else WebhookFormat.WECOM
    else:
        try:
            kind = WebhookFormat(str(format_raw).strip().lower())
        except ValueError:
            problems.append(f"{label} 的 format 应为 wecom 或 dingtalk，已忽略这个群机器人")
            return None
    secret = raw.get("secret", "")
    keyword = raw.get("keyword", "")
    if not isinstance(secret, str) or not isinstance(keyword, str):
        problems.append(f"{label} 的 secret、keyword 应是文字，已忽略这个群机器人")
        return None
    if secret and kind is not WebhookFormat.DINGTALK:
        problems.append(
            f'{label} 的 secret（加签）只用于钉钉（format = "dingtalk"），已忽略 secret'
        )
        secret = ""
    return Webhook(url, kind, secret.strip(), " ".join(keyword.split()))


def _is_url(url: str) -> bool:
    if len(url) > 2000 or any(ch.isspace() for ch in url):
        return False
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
