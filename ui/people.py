"""How pages open to visitors name people: ``report.history.Names`` over the accounts."""

from __future__ import annotations

from metrics.rounds.roles import Role
from metrics.store.accounts import open_accounts_from_env
from report.history import Names
from ui.auth import signed_in


def people_names() -> Names:
    """Display names for everyone; login names and system users only for the office."""
    who = signed_in()
    accounts = {a.name: a for a in open_accounts_from_env().accounts()}
    return Names(accounts, reveal=who is not None and who.role is Role.OFFICE)
