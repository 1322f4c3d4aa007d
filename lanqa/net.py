"""Which addresses this machine has on the local network, and which one to offer phones."""

import ipaddress
import socket
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
