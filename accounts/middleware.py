"""Remembers the current request's client address so services can audit it without taking a request."""

from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Behind the reverse proxy REMOTE_ADDR is the proxy; it sets X-Real-IP to the client.
        ip = request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
        token = _client_ip.set(ip)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
