"""Where a push may go: only to the push services browsers use, never into our own network.

A Web Push endpoint is a URL the browser hands us, so it is whatever the sender typed. Sending
to it blindly made Ginga an SSRF: pushes reached 127.0.0.1, our Redis, 10.0.0.1 and the cloud
metadata address. The rules, checked when a fan subscribes (`check`) and again on every send
(`push_http`, which resolves the host and refuses private addresses at connection time):

- https only, no user:password@, a host name (not an address literal in any spelling);
- the host is one of PUSH_HOSTS (the big browsers' push services by default; an entry that
  starts with a dot allows its subdomains); an empty PUSH_HOSTS allows any public host;
- PUSH_ALLOW_PRIVATE lifts the https and address rules, for tests against a local service
  (`flask doctor` flags it anywhere else).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

MAX_ENDPOINT = 1000


class RefusedEndpoint(ValueError):
    """Why an endpoint is refused, in words for the fan's error message and the log."""

    def __str__(self):
        return str(self.args[0])


def hosts_from(setting):
    """PUSH_HOSTS as a list of lower-case names ('.example.com' allows its subdomains)."""
    return [h.strip().lower() for h in (setting or "").split(",") if h.strip()]


def host_allowed(host, hosts):
    if not hosts:
        return True
    for allowed in hosts:
        if allowed.startswith(".") and (host.endswith(allowed) or host == allowed[1:]):
            return True
        if host == allowed:
            return True
    return False


def literal_address(host):
    """The address a host name spells as a literal (127.0.0.1, [::1], 2130706433, 0x7f.1,
    127.1), or None for a real name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.ip_address(socket.inet_aton(host))  # the forms C's inet_aton reads
    except OSError:
        return None


def public_address(address):
    """True for an address on the public internet (not loopback, private, link-local,
    multicast, reserved or unspecified, IPv4-mapped IPv6 included)."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check(endpoint, hosts, allow_private=False):
    """The endpoint's host if a push may go there; RefusedEndpoint saying why if not."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise RefusedEndpoint(_l("the endpoint is not a URL"))
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        raise RefusedEndpoint(_l("the endpoint is not a URL")) from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise RefusedEndpoint(_l("the endpoint must be https"))
    if "@" in parts.netloc:
        raise RefusedEndpoint(_l("the endpoint must not carry a user name or password"))
    host = (parts.hostname or "").lower()
    if not host:
        raise RefusedEndpoint(_l("the endpoint has no host"))
    if not allow_private:
        address = literal_address(host)
        if address is not None and not public_address(address):
            raise RefusedEndpoint(_l("the endpoint points into a private network"))
        if not host_allowed(host, hosts):
            raise RefusedEndpoint(_l("the endpoint is not a known push service"))
    elif not host_allowed(host, hosts) and literal_address(host) is None:
        raise RefusedEndpoint(_l("the endpoint is not a known push service"))
    return host
