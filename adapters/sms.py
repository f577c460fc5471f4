"""SMS through an HTTP gateway: one POST per reminder, the outcome read from the status.

The generic gateway takes JSON::

    POST <url>
    Authorization: Bearer <token>
    Idempotency-Key: <message.idempotency_key>

    {"to": "+77011234567", "from": "CLMS", "text": "...", "reference": "<idempotency key>"}

Another provider plugs in by overriding one of two small methods:

- `body_for(message)` for a JSON gateway that only names its fields differently;
  `RapidProGateway` (RapidPro's `/api/v2/broadcasts.json`, token scheme `Token`) is
  the worked example.
- `request_for(message)` for anything else. Twilio, for instance, wants a form and
  Basic authentication (a sketch: give it `client=httpx.Client(auth=(account_sid,
  auth_token))` and the account's `.../Messages.json` URL)::

      class TwilioGateway(HttpSmsGateway):
          def request_for(self, message: OutgoingMessage) -> httpx.Request:
              form = {"To": message.to, "From": self.sender, "Body": message.body}
              return self.client.build_request(
                  "POST", self.url, data=form, timeout=self.timeout
              )

Whatever the dialect, `send` never raises for a delivery problem: see `_http` for what
each status and failure means.
"""

from __future__ import annotations

import httpx

from clms.adapters._http import delivery_of, delivery_of_error, private_texts
from clms.ports import Delivery, OutgoingMessage


class HttpSmsGateway:
    channel = "sms"
    auth_scheme = "Bearer"

    def __init__(
        self,
        url: str,
        token: str,
        sender: str,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout
        self._owns_client = client is None
        # The timeout is also set on every request, so a client passed in without one
        # cannot leave the outbox waiting forever on a silent gateway.
        self.client = client if client is not None else httpx.Client(timeout=timeout)

    def send(self, message: OutgoingMessage) -> Delivery:
        try:
            request = self.request_for(message)
            response = self.client.send(request)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return delivery_of_error(exc)
        return delivery_of(response, hide=private_texts(message))

    def request_for(self, message: OutgoingMessage) -> httpx.Request:
        """The whole dialect of a JSON gateway: override `body_for` or this."""
        return self.client.build_request(
            "POST",
            self.url,
            json=self.body_for(message),
            headers={"Idempotency-Key": message.idempotency_key, **self._authorization()},
            timeout=self.timeout,
        )

    def _authorization(self) -> dict[str, str]:
        # No token configured means a gateway that asks for none (one on the local
        # network): "Bearer " alone is no valid header, and every send would fail for ever.
        token = self.token.strip()
        return {"Authorization": f"{self.auth_scheme} {token}"} if token else {}

    def body_for(self, message: OutgoingMessage) -> dict[str, object]:
        return {
            "to": message.to,
            "from": self.sender,
            "text": message.body,
            "reference": message.idempotency_key,
        }

    def close(self) -> None:
        """Closes the connection pool, unless the client was lent to us."""
        if self._owns_client:
            self.client.close()


class RapidProGateway(HttpSmsGateway):
    """RapidPro's broadcasts API: the sender is the workspace's channel, not a field."""

    auth_scheme = "Token"

    def body_for(self, message: OutgoingMessage) -> dict[str, object]:
        return {"urns": [f"tel:{message.to}"], "text": message.body}
