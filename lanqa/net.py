"""Which addresses this machine has on the local network, and which one to offer phones."""

import ipaddress
import socket
import time
from dataclasses import dataclass

import ifaddr

# Adapters that phones in the room can't reach: containers, VMs, VPNs.
VIRTUAL = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vbox",
    "vmnet",
    "vmware",
    "vethernet",
    "hyper-v",
    "tun",
    "tap",
    "wg",
    "tailscale",
    "zt",
    "utun",
    "lxc",
    "lxd",
    "podman",
    "cni",
    "ppp",
)


@dataclass(frozen=True)
class Address:
    ip: str
    interface: str
    score: int

    @property
    def usable(self):
        return self.score > 0


def interfaces():
    """(interface name, IPv4 address) for every address this machine has."""
    pairs = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if ip.is_IPv4:
                pairs.append((adapter.nice_name, ip.ip))
    return pairs


class OwnNames:
    """Whether a name in a Host header is this machine's: localhost, a loopback or one
    of its own addresses, its host name. Addresses come and go (a hotspot started after
    LanQA), so an unknown address looks again, at most every few seconds."""

    def __init__(self, addresses=None, every=5.0):
        self.addresses = addresses or (lambda: {ip for _, ip in interfaces()})
        self.every, self.looked, self.known = every, -every, set()
        host = socket.gethostname().lower()
        self.names = {"localhost", host, f"{host}.local"}

    def __contains__(self, name):
        if name in self.names or name in self.known:
            return True
        try:
            if ipaddress.ip_address(name).is_loopback:
                return True
        except ValueError:
            return False  # a name that is not ours: a page of another site
        if time.monotonic() - self.looked >= self.every:
            self.looked, self.known = time.monotonic(), self.addresses()
        return name in self.known


def route_hint():
    """The address the OS would use for outside traffic, or None; sends no packet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a route lookup, nothing is sent
            return probe.getsockname()[0]
        except OSError:
            return None


def score(interface, ip, hint):
    address = ipaddress.IPv4Address(ip)
    points = 100 if address.is_private else 50
    if address.is_link_local:
        points -= 300
    if interface.lower().startswith(VIRTUAL):
        points -= 200
    if ip == hint:
        points += 20
    return points


def candidates(pairs=None, hint=None):
    """Addresses phones might reach, best first; loopback is left out."""
    if pairs is None:
        pairs, hint = interfaces(), route_hint()
    found = [
        Address(ip, name, score(name, ip, hint))
        for name, ip in pairs
        if not ipaddress.IPv4Address(ip).is_loopback
    ]
    return sorted(found, key=lambda a: a.score, reverse=True)


def best(found):
    """The address to put in the QR code, or None when there is no usable network."""
    return found[0] if found and found[0].usable else None
