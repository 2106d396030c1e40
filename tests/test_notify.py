"""Reminders, piece by piece: what a message may carry, the settings (off by default,
malformed values warned about in Chinese, secrets never shown), and delivery against a
local SMTP server (plain, STARTTLS with login, TLS) and a local HTTP receiver for
企业微信 and 钉钉 robots (JSON shape, 加签), including servers that refuse, fail or hang."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import hmac
import ssl
import time
import urllib.parse
from pathlib import Path

import pytest

from metrics.notify.delivery import DeliveryError, dingtalk_signed, post_webhook, send_mail
from metrics.notify.message import EventKind, Notice, mail_subject, text
from metrics.notify.recipients import Webhook, WebhookFormat, read_recipients
from metrics.notify.settings import (
    VARIABLES,
    NotifySettings,
    Security,
    Smtp,
    mask,
    parse_settings,
)
from tests.notify_receivers import (
    closed_port,
    http_receiver,
    make_certificate,
    silent_port,
    smtp_receiver,
)

DAY = datetime.date(2021, 7, 5)
NOTICE = Notice(
    EventKind.RETURNED, "公办教育发展滞后", "区教育局", DAY, "https://zg.example/report"
)
PASSWORD = "s3cret-Pa55word"


def smtp_at(port: int, **options: object) -> Smtp:
    fields: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": Security.NONE,
        "sender": "整改办 <zgb@example.cn>",
    }
    return Smtp(**(fields | options))  # type: ignore[arg-type]  # test options by name


# -- the message ---------------------------------------------------------------------------------


def test_a_notice_has_only_title_unit_date_and_link() -> None:
    names = [f.name for f in dataclasses.fields(Notice)]
    assert names == ["kind", "subject", "unit", "day", "link"]
    assert text(NOTICE).splitlines() == [
        "【整改提醒】整改办退回了报送，请修改后重新报送",
        "任务：公办教育发展滞后",
        "单位：区教育局",
        "退回日期：2021年7月5日",
        "链接：https://zg.example/report",
    ]
    assert mail_subject(NOTICE) == "【整改提醒】退回：公办教育发展滞后（区教育局）"


def test_workbook_text_is_one_bounded_line_and_links_are_web_addresses() -> None:
    odd = Notice(
        EventKind.DUBAN, "任务\r\n名称\x00" + "长" * 200, "区\n教育局", DAY, "javascript:x"
    )
    assert odd.subject.startswith("任务 名称 长") and len(odd.subject) == 80
    assert odd.subject.endswith("…") and odd.unit == "区 教育局" and odd.link == ""
    assert "\n" not in mail_subject(odd) and "链接" not in text(odd)


# -- settings -------------------------------------------------------------------------------------


def test_off_by_default() -> None:
    settings, problems = parse_settings({})
    assert settings == NotifySettings() and not settings.active and problems == []
    assert settings.describe() == ["提醒未开启（设 ZHENGGAI_NOTIFY=1 开启）"]
    assert all(name.startswith("ZHENGGAI_") for name in VARIABLES)


def test_malformed_settings_keep_their_defaults_and_say_so(tmp_path: Path) -> None:
    settings, problems = parse_settings(
        {
            "ZHENGGAI_NOTIFY": "maybe",
            "ZHENGGAI_NOTIFY_DUE_DAYS": "三天",
            "ZHENGGAI_NOTIFY_TIMEOUT": "1e999",
            "ZHENGGAI_NOTIFY_BASE_URL": "zg.example",
            "ZHENGGAI_SMTP_HOST": "mail.example.cn",
            "ZHENGGAI_SMTP_SECURITY": "tls",
            "ZHENGGAI_SMTP_PORT": "70000",
            "ZHENGGAI_SMTP_FROM": "zgb@example.cn",
            "ZHENGGAI_SMTP_PASSWORD_FILE": str(tmp_path / "missing"),
        }
    )
    assert not settings.enabled and settings.due_days == 3 and settings.timeout == 10
    assert settings.base_url == "" and settings.smtp is not None
    assert settings.smtp.security is Security.STARTTLS and settings.smtp.port == 587
    joined = "\n".join(problems)
    for said in (
        "ZHENGGAI_NOTIFY=“maybe” 应为 1 或 0，已按 0（不发送提醒）处理",
        "ZHENGGAI_NOTIFY_DUE_DAYS=“三天” 应为 0 到 60 之间的整数，已使用默认值 3",
        "ZHENGGAI_NOTIFY_TIMEOUT=“1e999” 应为 1 到 120 之间的数，已使用默认值 10",
        "ZHENGGAI_NOTIFY_BASE_URL=“zg.example” 不是看板的网址",
        "ZHENGGAI_SMTP_SECURITY=“tls” 应为 starttls、ssl 或 none，已使用默认值 starttls",
        "ZHENGGAI_SMTP_PORT=“70000” 应为 1 到 65535 之间的整数，已使用默认值 587",
        "无法读取邮件密码文件",
    ):
        assert said in joined
    _, problems = parse_settings({"ZHENGGAI_SMTP_HOST": "mail", "ZHENGGAI_NOTIFY": "1"})
    assert any("没有设置发件人 ZHENGGAI_SMTP_FROM" in p for p in problems)
    assert any("不会发送任何提醒" in p for p in problems)


def test_passwords_and_robot_tokens_are_never_shown(tmp_path: Path) -> None:
    (tmp_path / "password").write_text(PASSWORD + "\n", encoding="utf-8")
    book = tmp_path / "notify.toml"
    book.write_text(
        '[group]\nwebhook = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123456"\n'
        'secret = "SECabcdef"\n[units."区教育局"]\nmail = ["zhao@edu.example.cn"]\n'
        'webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY987654"\n',
        encoding="utf-8",
    )
    settings, problems = parse_settings(
        {
            "ZHENGGAI_NOTIFY": "1",
            "ZHENGGAI_SMTP_HOST": "mail.example.cn",
            "ZHENGGAI_SMTP_FROM": "zgb@example.cn",
            "ZHENGGAI_SMTP_USER": "zgb",
            "ZHENGGAI_SMTP_PASSWORD_FILE": str(tmp_path / "password"),
            "ZHENGGAI_NOTIFY_RECIPIENTS": str(book),
        }
    )
    assert problems == [] and settings.active
    assert settings.smtp is not None and settings.smtp.password == PASSWORD
    group = settings.recipients.group
    assert group is not None and group.format is WebhookFormat.DINGTALK
    hook = settings.webhook("unit:区教育局")
    assert hook is not None and hook.format is WebhookFormat.WECOM
    assert settings.mail_for("区 教育局") == ("zhao@edu.example.cn",)  # as the data writes it
    shown = repr(settings) + "\n".join(settings.describe())
    for secret in (PASSWORD, "TOKEN123456", "SECabcdef", "KEY987654"):
        assert secret not in shown
    said = mask(
        f"login {PASSWORD} failed at {group.url}&timestamp=1&sign=abc; key=KEY987654", settings
    )
    for secret in (PASSWORD, "TOKEN123456", "KEY987654", "sign=abc"):
        assert secret not in said
    assert "******" in said


def test_a_bad_recipients_file_is_reported_entry_by_entry(tmp_path: Path) -> None:
    book = tmp_path / "notify.toml"
    book.write_text(
        '[units."区教育局"]\nmail = ["zhao@edu.example.cn", "不是地址"]\n'
        'webhook = "ftp://robot?key=LEAKED999"\n[units."区住建局"]\nphone = "110"\n'
        "[other]\n",
        encoding="utf-8",
    )
    found, problems = read_recipients(book)
    assert found.units["区教育局"].mail == ("zhao@edu.example.cn",)
    assert found.units["区教育局"].webhook is None
    joined = "\n".join(problems)
    assert "“不是地址”不是邮件地址" in joined and "webhook 不是 http(s) 地址" in joined
    assert "不认识的项“phone”" in joined and "不认识的项“other”" in joined
    assert "LEAKED999" not in joined
    book.write_text("[units\n", encoding="utf-8")
    assert "不是有效的 TOML" in read_recipients(book)[1][0]


# -- mail -----------------------------------------------------------------------------------------


def test_mail_to_a_local_server_carries_the_notice_only() -> None:
    with smtp_receiver() as server:
        send_mail(smtp_at(server.port), "zhao@edu.example.cn", NOTICE, timeout=5, ref="k|1")
    (mail,) = server.mails
    assert mail.recipients == ["zhao@edu.example.cn"] and mail.sender == "zgb@example.cn"
    assert mail.message["Subject"] == mail_subject(NOTICE)
    assert mail.message["From"] == "整改办 <zgb@example.cn>"
    assert mail.message["Message-ID"].endswith("@example.cn>")
    assert mail.body.startswith(text(NOTICE))


def test_starttls_with_login_and_an_intranet_ca(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    smtp = smtp_at(0, security=Security.STARTTLS, user="zgb", password=PASSWORD, ca_file=str(cert))
    with smtp_receiver(security="starttls", context=context, password=PASSWORD) as server:
        send_mail(dataclasses.replace(smtp, port=server.port), "a@b.cn", NOTICE, timeout=5, ref="x")
        assert server.mails[0].tls and server.mails[0].authenticated == "zgb"
        with pytest.raises(DeliveryError, match="登录失败") as failed:
            wrong = dataclasses.replace(smtp, port=server.port, password="wrong")
            send_mail(wrong, "a@b.cn", NOTICE, timeout=5, ref="x")
        assert PASSWORD not in failed.value.reason
        untrusted = dataclasses.replace(smtp, port=server.port, ca_file="")
        with pytest.raises(DeliveryError, match="建立加密连接失败"):
            send_mail(untrusted, "a@b.cn", NOTICE, timeout=5, ref="x")
    with smtp_receiver(security="ssl", context=context) as server:
        tls = smtp_at(server.port, security=Security.SSL, ca_file=str(cert))
        send_mail(tls, "a@b.cn", NOTICE, timeout=5, ref="x")
        assert server.mails[0].tls


def test_mail_failures_say_why_and_whether_to_retry() -> None:
    with smtp_receiver(refuse_recipient=True) as server:
        with pytest.raises(DeliveryError, match="拒收收件人（550）") as refused:
            send_mail(smtp_at(server.port), "nobody@b.cn", NOTICE, timeout=5, ref="x")
        assert refused.value.permanent
        server.refuse_recipient, server.data_error = False, 451
        with pytest.raises(DeliveryError, match="451") as busy:
            send_mail(smtp_at(server.port), "a@b.cn", NOTICE, timeout=5, ref="x")
        assert not busy.value.permanent
    with pytest.raises(DeliveryError, match="无法连接邮件服务器") as down:
        send_mail(smtp_at(closed_port()), "a@b.cn", NOTICE, timeout=5, ref="x")
    assert not down.value.permanent
    with silent_port() as port:
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="1 秒内没有回应"):
            send_mail(smtp_at(port), "a@b.cn", NOTICE, timeout=1, ref="x")
        assert time.monotonic() - started < 3


# -- group robots ---------------------------------------------------------------------------------


def test_wecom_robot_gets_a_text_message() -> None:
    with http_receiver() as robot:
        post_webhook(Webhook(robot.url(), WebhookFormat.WECOM), NOTICE, timeout=5)
    (post,) = robot.posts
    assert post.path == "/cgi-bin/webhook/send" and post.query == {"key": "TOKEN-abcdef123"}
    assert post.headers["content-type"] == "application/json; charset=utf-8"
    assert post.body == {"msgtype": "text", "text": {"content": text(NOTICE)}}


def test_dingtalk_robot_is_signed_and_gets_its_keyword() -> None:
    secret = "SEC0123456789abcdef"
    with http_receiver() as robot:
        hook = Webhook(
            robot.url("/robot/send", "access_token=T0KEN"),
            WebhookFormat.DINGTALK,
            secret,
            "整改通知",
        )
        before = int(time.time() * 1000)
        post_webhook(hook, NOTICE, timeout=5)
    (post,) = robot.posts
    assert post.body == {"msgtype": "text", "text": {"content": "整改通知\n" + text(NOTICE)}}
    assert post.query["access_token"] == "T0KEN"
    stamp = int(post.query["timestamp"])
    assert before <= stamp <= int(time.time() * 1000)
    # As 钉钉 documents it: Base64(HMAC-SHA256(secret, "timestamp\nsecret")).
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert post.query["sign"] == base64.b64encode(digest).decode()
    assert dingtalk_signed("https://x/robot/send", "S", 1).startswith(
        "https://x/robot/send?timestamp=1&sign="
    )
    assert urllib.parse.unquote_plus(dingtalk_signed("https://x/a?b=1", "S", 1)).count("?") == 1


def test_robot_failures_say_why_and_whether_to_retry() -> None:
    with http_receiver() as robot:
        hook = Webhook(robot.url(), WebhookFormat.WECOM)
        robot.status = 502
        with pytest.raises(DeliveryError, match="HTTP 502") as bad_gateway:
            post_webhook(hook, NOTICE, timeout=5)
        assert not bad_gateway.value.permanent
        robot.status = 404
        with pytest.raises(DeliveryError, match="HTTP 404") as missing:
            post_webhook(hook, NOTICE, timeout=5)
        assert missing.value.permanent
        robot.status, robot.answer = 200, {"errcode": 310000, "errmsg": "keywords not in content"}
        with pytest.raises(DeliveryError, match="errcode 310000：keywords not in content"):
            post_webhook(hook, NOTICE, timeout=5)
        robot.answer, robot.delay = {"errcode": 0}, 3
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="1 秒内没有回应"):
            post_webhook(hook, NOTICE, timeout=1)
        assert time.monotonic() - started < 2.5
    with pytest.raises(DeliveryError, match="无法连接企业微信群机器人"):
        post_webhook(Webhook(f"http://127.0.0.1:{closed_port()}/x"), NOTICE, timeout=5)
