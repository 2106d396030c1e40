"""Which client a sign-in attempt comes from, for the sign-in throttle.

The throttle (``metrics.store.signin_throttle``) counts failures per (account name,
client) and limits password checks per client, so the client must be an address an
attacker cannot choose. The TCP peer is such an address; headers are not, unless they
were written by a proxy we trust. So ``X-Forwarded-For`` / ``X-Real-IP`` are read only
when the peer is one of the trusted proxies (``ZHENGGAI_TRUSTED_PROXIES``: addresses or
networks separated by commas or spaces; default ``127.0.0.1, ::1``, an nginx on the same
host). ``X-Forwarded-For`` is read from the right: each proxy appends the address it saw,
so the first address from the right that is not a trusted proxy is the client (what a
client writes into the header itself stays on the left and is never used).

An IPv6 client is counted by its /64 network: one subscriber usually holds a whole /64,
and counting single addresses would let them change address for every attempt.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

TRUSTED_PROXIES_ENV = "ZHENGGAI_TRUSTED_PROXIES"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1, ::1"
LOCAL_CLIENT = "127.0.0.1"  # no peer address known: the server itself (or a test)
IPV6_PREFIX = 64

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(text: str | None) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    """The proxies listed in ``text`` (``None``: the default) and the entries that are
    neither an address nor a network (ignored; the caller reports them)."""
    source = DEFAULT_TRUSTED_PROXIES if text is None else text
    networks: list[Network] = []
    invalid: list[str] = []
    for entry in source.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            invalid.append(entry)
    return tuple(networks), tuple(invalid)


def client_key(
    peer: str | None,
    forwarded_for: Iterable[str] = (),
    real_ip: str | None = None,
    trusted: Sequence[Network] = (),
) -> str:
    """The client an attempt is counted against: ``peer`` (the TCP peer; ``None`` for a
    loopback peer, as ``st.context.ip_address`` gives it) unless it is a trusted proxy;
    then the address the proxies forwarded (``forwarded_for``: every ``X-Forwarded-For``
    header, in order; ``real_ip``: ``X-Real-IP``, used when there is no
    ``X-Forwarded-For``)."""
    address = _address(peer) if peer else ipaddress.ip_address(LOCAL_CLIENT)
    if address is None:
        return _bounded(peer or LOCAL_CLIENT)
    if _within(address, trusted):
        chain = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        chain = [hop for hop in chain if hop]
        if chain:
            for hop in reversed(chain):
                parsed = _address(hop)
                if parsed is None:  # not an address: keep the last proxy that wrote one
                    break
                address = parsed
                if not _within(parsed, trusted):
                    break
        elif real_ip:
            address = _address(real_ip.strip()) or address
    return _key(address)


def _within(address: Address, networks: Sequence[Network]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def _address(text: str) -> Address | None:
    """An address as proxies write it: bare, ``v4:port`` or ``[v6]:port``; IPv4-mapped
    IPv6 addresses count as the IPv4 address."""
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates = [text[1 : text.index("]")]]
    elif text.count(":") == 1:
        candidates.append(text.split(":", 1)[0])
    for candidate in candidates:
        try:
            parsed = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if isinstance(parsed, ipaddress.IPv6Address):
            if parsed.ipv4_mapped is not None:
                return parsed.ipv4_mapped
            if parsed.scope_id:  # fe80::1%eth0: the interface does not matter here
                return ipaddress.IPv6Address(str(parsed).split("%", 1)[0])
        return parsed
    return None


def _key(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def _bounded(text: str) -> str:
    """A peer that is not an address (a Unix socket name …): counted as it is, bounded."""
    return "".join(ch for ch in text if ch.isprintable())[:100] or LOCAL_CLIENT
