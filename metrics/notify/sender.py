"""Delivering the queue: ``send_pending`` (``python -m metrics notify send``, a timer)
and ``kick`` (a background attempt right after an action, never blocking it).

Each message is claimed alone, with a lease (a sender that dies leaves it to be
retried once the lease ends), sent, and its outcome recorded only while the claim is
still held. A failure retries after 1, 5, 30 minutes and 2 hours; then the message is
``failed`` and the office sees it with its reason (secrets masked). Delivery is at
least once: a sender killed after the server accepted a message but before recording
it sends that message again when the lease ends (mail carries the same Message-ID).
"""

from __future__ import annotations

import atexit
import datetime
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from metrics.notify.delivery import DeliveryError, deliver
from metrics.notify.outbox import Outbox, Row, State, iso
from metrics.notify.settings import NotifySettings, mask, settings_now
from metrics.store.versions import Store

Clock = Callable[[], datetime.datetime]
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_REASON = 300

_log = logging.getLogger(__name__)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def outbox_of(store: Store) -> Outbox:
    """The store's queue (PostgreSQL claims rows with ``SKIP LOCKED``)."""
    module = sys.modules.get("metrics.store.postgres_backend")  # imported if PostgreSQL
    backend_type = getattr(module, "PostgresBackend", None)
    postgres = backend_type is not None and isinstance(store.backend, backend_type)
    return Outbox(store.backend.versions, postgres=postgres)


@dataclass(frozen=True, slots=True)
class SendReport:
    sent: int = 0
    retrying: int = 0  # failed this time, queued again
    failed: int = 0  # failed for good this time
    expired: int = 0
    lost: int = 0  # claims another sender took over (lease ran out)

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(
            self.sent + other.sent,
            self.retrying + other.retrying,
            self.failed + other.failed,
            self.expired + other.expired,
            self.lost + other.lost,
        )

    def text(self) -> str:
        parts = [f"已发送 {self.sent} 条"]
        if self.retrying:
            parts.append(f"{self.retrying} 条发送失败、稍后重试")
        if self.failed:
            parts.append(f"{self.failed} 条最终失败")
        if self.expired:
            parts.append(f"{self.expired} 条超过 2 天未发出、已放弃")
        return "，".join(parts)


def lease_for(settings: NotifySettings) -> datetime.timedelta:
    """Long enough for one message (a few connections of ``timeout`` each)."""
    return datetime.timedelta(seconds=settings.timeout * 4 + 60)


def send_pending(
    store: Store,
    settings: NotifySettings,
    *,
    clock: Clock = utc_now,
    limit: int = 500,
    stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send every message that is due now (at most ``limit``), one at a time."""
    if not settings.active:
        return SendReport()
    outbox = outbox_of(store)
    report = SendReport(expired=outbox.expire(clock()))
    token = uuid.uuid4().hex
    for _ in range(limit):
        if stop():
            break
        row = outbox.claim(clock(), lease_for(settings), token)
        if row is None:
            break
        report += _send_one(outbox, row, token, settings, clock)
    return report


def _send_one(
    outbox: Outbox, row: Row, token: str, settings: NotifySettings, clock: Clock
) -> SendReport:
    attempts = row.attempts + 1
    try:
        deliver(settings, row.channel, row.recipient, row.notice, row.dedup)
    except DeliveryError as exc:
        reason, permanent = exc.reason, exc.permanent
    except Exception as exc:  # a bug must not stop the queue
        _log.exception("提醒 %s 发送时出现内部错误", row.id)
        reason, permanent = f"内部错误（{type(exc).__name__}）", False
    else:
        now = clock()
        kept = outbox.finish(
            row, token, state=State.SENT, attempts=attempts, next_at=iso(now), sent_at=iso(now)
        )
        return SendReport(sent=1) if kept else SendReport(sent=1, lost=1)
    reason = mask(reason, settings)[:MAX_REASON]
    now = clock()
    if permanent or attempts >= MAX_ATTEMPTS:
        state, next_at = State.FAILED, now
    else:
        state, next_at = State.QUEUED, now + BACKOFF[attempts - 1]
    kept = outbox.finish(
        row, token, state=state, attempts=attempts, next_at=iso(next_at), error=reason
    )
    _log.warning("提醒 %s（%s）第 %s 次发送失败：%s", row.id, row.recipient_label, attempts, reason)
    if not kept:
        return SendReport(lost=1)
    return SendReport(failed=1) if state is State.FAILED else SendReport(retrying=1)


# -- right after an action, in the background ------------------------------------------------


@dataclass
class _Runner:
    thread: threading.Thread
    again: bool = False


_runners: dict[str, _Runner] = {}
_lock = threading.Lock()
_stopping = threading.Event()


def kick(store: Store, clock: Clock = utc_now, settings: NotifySettings | None = None) -> None:
    """Try to send what is due now in a background thread of this process (one per
    store; a kick while it runs makes it look once more). Returns at once."""
    settings = settings or settings_now()
    if not settings.active or _stopping.is_set():
        return
    key = store.backend.describe()
    with _lock:
        running = _runners.get(key)
        if running is not None and running.thread.is_alive():
            running.again = True
            return
        thread = threading.Thread(
            target=_run, args=(key, store, clock, settings), name="zhenggai-notify", daemon=True
        )
        _runners[key] = _Runner(thread)
    thread.start()


def _run(key: str, store: Store, clock: Clock, settings: NotifySettings) -> None:
    while True:
        try:
            send_pending(store, settings, clock=clock, limit=100, stop=_stopping.is_set)
        except Exception:  # the database went away, say: the timer will try again
            _log.exception("提醒的后台发送出错，稍后由定时任务或下一次操作重试")
        with _lock:
            runner = _runners[key]
            if not runner.again or _stopping.is_set():
                del _runners[key]
                return
            runner.again = False


def wait_idle(timeout: float) -> bool:
    """Wait for the background senders of this process (tests, and at exit)."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            threads = [r.thread for r in _runners.values()]
        if not threads:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        threads[0].join(min(left, 0.05))


@atexit.register
def _finish_at_exit() -> None:
    """Let a command line's background send finish the message it is on (bounded by
    the timeout), but start no other."""
    _stopping.set()
    wait_idle(settings_now().timeout + 1 if _runners else 0)
