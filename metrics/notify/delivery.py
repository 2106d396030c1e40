"""Sending one message: by SMTP (intranet mail) or to a group robot (企业微信 / 钉钉).

Each connection has the settings' timeout. A failure raises ``DeliveryError`` with a
Chinese reason (the caller masks secrets before storing it) and whether retrying can
help: a recipient the mail server refuses, or a robot address that does not exist, is
``permanent``; a server that is down, slow or answers 5xx is not.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import http.client
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage

from metrics.notify.message import Notice, mail_subject, text
from metrics.notify.recipients import Webhook, WebhookFormat
from metrics.notify.settings import NotifySettings, Security, Smtp

MAX_RESPONSE_BYTES = 64 * 1024
_PERMANENT_HTTP = frozenset({400, 401, 403, 404, 405, 410, 413})


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def deliver(
    settings: NotifySettings, channel: str, recipient: str, notice: Notice, ref: str
) -> None:
    """Send ``notice`` to one recipient of a queued row (``ref``: a stable id for the
    message, used as the mail's Message-ID so that a resend is recognisable)."""
    if channel == "mail":
        if settings.smtp is None:
            raise DeliveryError(
                "邮件服务器未设置或设置有误（ZHENGGAI_SMTP_HOST、ZHENGGAI_SMTP_FROM）"
            )
        send_mail(settings.smtp, recipient, notice, timeout=settings.timeout, ref=ref)
        return
    hook = settings.webhook(recipient)
    if hook is None:
        raise DeliveryError("接收人文件中已没有这个群机器人")
    post_webhook(hook, notice, timeout=settings.timeout)


# -- mail ----------------------------------------------------------------------------------------


def mail_message(smtp: Smtp, to: str, notice: Notice, ref: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    message["Subject"] = mail_subject(notice)
    message["Date"] = email.utils.formatdate(localtime=True)
    domain = smtp.sender_address.rpartition("@")[2] or "zhenggai.invalid"
    digest = hashlib.sha256(f"{ref}|{to}".encode()).hexdigest()[:24]
    message["Message-ID"] = f"<zhenggai-{digest}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text(notice) + "\n\n（本邮件由整改进展看板自动发送，请勿回复）\n")
    return message


def send_mail(smtp: Smtp, to: str, notice: Notice, *, timeout: float, ref: str) -> None:
    message = mail_message(smtp, to, notice, ref)
    where = f"邮件服务器 {smtp.host}:{smtp.port}"
    context = ssl.create_default_context(cafile=smtp.ca_file or None)
    try:
        client: smtplib.SMTP
        if smtp.security is Security.SSL:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        with client:
            if smtp.security is Security.STARTTLS:
                client.starttls(context=context)
            if smtp.user:
                client.login(smtp.user, smtp.password)
            client.send_message(message, from_addr=smtp.sender_address, to_addrs=[to])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(
            f"{where}拒收收件人（{_codes(codes)}）", permanent=all(c >= 500 for c in codes)
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}登录失败（{exc.smtp_code}）：请检查登录名和密码") from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        said = _said(exc.smtp_error)
        raise DeliveryError(
            f"{where}拒绝了这封邮件（{exc.smtp_code} {said}）", permanent=exc.smtp_code >= 500
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where}回应错误（{exc.smtp_code} {_said(exc.smtp_error)}）") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            f"{where}不支持 STARTTLS 或登录：请检查 ZHENGGAI_SMTP_SECURITY"
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"与{where}建立加密连接失败（{exc.reason or exc}）") from None
    except TimeoutError:
        raise DeliveryError(f"{where}在 {timeout:g} 秒内没有回应") from None
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):  # smtplib's words for a read that timed out
            raise DeliveryError(f"{where}在 {timeout:g} 秒内没有回应") from None
        raise DeliveryError(f"{where}中断了连接（{_os_reason(exc)}）") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"无法连接{where}（{_os_reason(exc)}）") from None


def _codes(codes: list[int]) -> str:
    return "、".join(str(c) for c in sorted(set(codes)))


def _said(raw: bytes | str) -> str:
    said = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(said.split())[:120]


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split())[:120] or type(exc).__name__


# -- group robots --------------------------------------------------------------------------------


def robot_payload(hook: Webhook, notice: Notice) -> dict[str, object]:
    """企业微信 and 钉钉 text messages share one shape."""
    content = text(notice)
    if hook.keyword and hook.keyword not in content:
        content = f"{hook.keyword}\n{content}"
    return {"msgtype": "text", "text": {"content": content}}


def dingtalk_signed(url: str, secret: str, now_ms: int) -> str:
    """The robot's address with 钉钉's 加签 parameters: ``timestamp`` (ms) and ``sign`` =
    Base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), URL-encoded."""
    to_sign = f"{now_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={now_ms}&sign={sign}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an error (HTTPError with its 3xx status)


def post_webhook(hook: Webhook, notice: Notice, *, timeout: float) -> None:
    url = hook.url
    if hook.format is WebhookFormat.DINGTALK and hook.secret:
        url = dingtalk_signed(url, hook.secret, int(time.time() * 1000))
    body = json.dumps(robot_payload(hook, notice), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    where = hook.format.label
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            payload = response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(
            f"{where}回应 HTTP {exc.code}", permanent=exc.code in _PERMANENT_HTTP
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise DeliveryError(f"{where}在 {timeout:g} 秒内没有回应") from None
        shown = _os_reason(reason) if isinstance(reason, BaseException) else str(reason)[:120]
        raise DeliveryError(f"无法连接{where}（{shown}）") from None
    except TimeoutError:
        raise DeliveryError(f"{where}在 {timeout:g} 秒内没有回应") from None
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"与{where}的连接中断（{_os_reason(exc)}）") from None
    _check_answer(where, payload)


def _check_answer(where: str, payload: bytes) -> None:
    """Both robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any other
    errcode (a wrong keyword or signature, too many messages) is a failure."""
    try:
        answer = json.loads(payload.decode("utf-8")) if payload.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # a relay that answers 2xx with something else: accepted
    if isinstance(answer, dict) and "errcode" in answer:
        code = answer.get("errcode")
        if code not in (0, "0"):
            said = " ".join(str(answer.get("errmsg", "")).split())[:120]
            raise DeliveryError(f"{where}拒绝了消息（errcode {code}：{said}）")
