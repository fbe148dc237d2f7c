"""The sender connects to the address that was checked, never to a second DNS answer
(DNS rebinding: public to the check, private to the connection)."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from customs.adapters.webhooks.http_sender import HttpWebhookSender
from customs.domain.webhooks import public_address


def test_the_checked_address_is_the_one_connected_to():
    seen: list[str] = []

    @Request.application
    def receiver(request: Request) -> Response:
        seen.append(request.headers["Host"])
        return Response("ok")

    server = make_server("127.0.0.1", 0, receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # "hooks.invalid" cannot resolve (RFC 2606): only the pinned address can be reached.
        url = f"http://hooks.invalid:{server.server_port}/customs"
        result = HttpWebhookSender(2, 2).send(url, {"X": "1"}, b"{}", "127.0.0.1")
        unpinned = HttpWebhookSender(2, 2).send(url, {"X": "1"}, b"{}")
    finally:
        server.shutdown()
    assert result.status == 200 and seen == [f"hooks.invalid:{server.server_port}"]
    assert unpinned.status is None  # resolving the name again fails: it was never used


def test_the_check_returns_the_address_it_approved():
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # a rebinding name
    refused, address = public_address("rebind.example", lambda host: next(answers))
    assert (refused, address) == (None, "93.184.216.34")
    assert public_address("10.0.0.1", lambda host: [])[0] == "a non-public address (10.0.0.1)"
