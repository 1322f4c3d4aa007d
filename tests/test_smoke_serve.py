import requests


def test_serve_answers_and_stops_cleanly_on_sigterm(serve):
    server = serve()
    created = requests.post(server.url + "/api/event", timeout=5).json()
    assert requests.get(f"{server.url}/api/event/{created['id']}", timeout=5).json() == {}
    assert server.stop() == 0
    assert "LanQA stopped." in "".join(server.output)
