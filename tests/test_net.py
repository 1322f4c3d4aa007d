"""Choosing the address that goes into the QR code, over made-up interface lists."""

from lanqa.net import best, candidates


def chosen(pairs, hint=None):
    address = best(candidates(pairs, hint))
    return address.ip if address else None


def test_wifi_beats_docker_bridge():
    pairs = [("lo", "127.0.0.1"), ("docker0", "172.17.0.1"), ("wlan0", "192.168.1.23")]
    assert chosen(pairs, hint="172.17.0.1") == "192.168.1.23"


def test_vpn_owning_the_default_route_does_not_win():
    pairs = [("wlp2s0", "10.0.0.42"), ("tun0", "10.8.0.2"), ("tailscale0", "100.101.1.2")]
    assert chosen(pairs, hint="10.8.0.2") == "10.0.0.42"


def test_link_local_only_means_no_usable_network():
    pairs = [("lo", "127.0.0.1"), ("en0", "169.254.10.20")]
    assert chosen(pairs) is None
    assert [a.ip for a in candidates(pairs)] == ["169.254.10.20"]


def test_nothing_but_loopback_gives_no_candidates():
    assert candidates([("lo", "127.0.0.1")]) == []
    assert chosen([("lo", "127.0.0.1")]) is None


def test_two_real_networks_are_both_offered_and_the_route_breaks_the_tie():
    pairs = [("eth0", "192.168.0.10"), ("wlan0", "172.20.10.3")]
    found = candidates(pairs, hint="172.20.10.3")
    assert [a.ip for a in found] == ["172.20.10.3", "192.168.0.10"]
    assert all(a.usable for a in found)


def test_windows_adapter_names_are_recognised():
    pairs = [("vEthernet (WSL)", "172.29.16.1"), ("Wi-Fi", "192.168.178.20")]
    assert chosen(pairs, hint="172.29.16.1") == "192.168.178.20"


def test_a_virtual_adapter_is_still_offered_when_nothing_else_exists():
    found = candidates([("docker0", "172.17.0.1")])
    assert [a.ip for a in found] == ["172.17.0.1"] and best(found) is None
