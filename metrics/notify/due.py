"""Due-soon and overdue reminders of the open round (``python -m metrics notify due``,
run daily by ``zhenggai-notify-due.timer``): to every unit that still owes its report
(not reported, a draft, awaiting its leader, or returned), once per round each."""

from __future__ import annotations

import datetime

from metrics.notify import events
from metrics.notify.outbox import enqueue
from metrics.notify.settings import NotifySettings
from metrics.rounds.board import OWING, build_board
from metrics.rounds.service import RoundService
from metrics.store.versions import Store


def queue_chase(store: Store, settings: NotifySettings, now: datetime.datetime) -> int:
    """Queue the reminders due today; the number of messages queued (0 when off, when
    no round is open, or when every reminder was queued before)."""
    if not settings.active:
        return 0
    service = RoundService(store, clock=lambda: now)
    found = service.current_round()
    if found is None:
        return 0
    board = build_board(service.db, service.dataset(), found, now)
    owing = [row.unit for row in board.rows if row.state in OWING]
    chased = events.chase(found, owing, board.today, settings)
    if not chased:
        return 0
    with service.db.transaction() as db:
        return enqueue(db, events.messages(chased, settings), now)
