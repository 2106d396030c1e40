"""Reminders (提醒), off by default: intranet mail (SMTP) and 企业微信 / 钉钉 group robots
for a round opened, its due date near, overdue, a task's report returned or accepted,
and a 督办单 issued. Each message carries the task title (or round name), the unit, a
date and a link: nothing else (``message.Notice``).

- ``settings``, ``recipients``: environment variables and the recipients file.
- ``message``: ``Notice`` and the text made from it.
- ``events``: which action tells whom; ``hooks``: the calls of the round service.
- ``outbox``: the queue (table ``notify_outbox``), exactly-once per event and recipient.
- ``delivery``: SMTP and robots; ``sender``: retries with backoff, background sending.
- ``due``: due-soon and overdue reminders; ``api``: ``notify_duban_issued``.
"""

from metrics.notify.api import notify_duban_issued, queue_duban_issued

__all__ = ["notify_duban_issued", "queue_duban_issued"]
