"""Look-ups that fail the test, rather than return None, when the thing is missing."""

from __future__ import annotations

from metrics.scoring.progress import Scored, TaskProgress
from metrics.store.versions import Store, Version


def current_version(store: Store) -> Version:
    """The store's current version (every store in the tests has one)."""
    version = store.current()
    assert version is not None, "the store has no current version"
    return version


def task_of(scored: Scored, task_id: int) -> TaskProgress:
    """Task ``task_id`` of the scored data."""
    found = scored.task(task_id)
    assert found is not None, f"no task {task_id}"
    return found
