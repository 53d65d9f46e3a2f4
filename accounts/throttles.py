"""API throttles that count per client address as accounts.middleware.client_ip sees it (DRF's own default
believes any X-Forwarded-For header, so a client could escape its limit by sending one). The counts live in
Django's cache, which is Redis whenever the app runs with Redis, so every web process shares them."""

from rest_framework import throttling

from .middleware import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request)
