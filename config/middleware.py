"""PostgreSQL unreachable or the connection lost during a request: a clear 503 (a Chinese page, or JSON under /api/)
instead of a generic 500, and a log line.

Nothing partial is saved: every service writes inside `transaction.atomic`, so a connection lost between two
writes leaves none of them (the server rolls back the transaction of a terminated session). Django drops the
broken connection when the transaction's rollback fails, and the next query or request connects again
(CONN_HEALTH_CHECKS checks a persistent connection before reusing it).

An error raised by the view reaches `process_exception`. One raised by another middleware (loading the session
or the user when the database is down at the start of a request) has already been turned into a 500 response by
Django; `got_request_exception`, sent while it is being handled, marks the request so that this middleware, the
outermost one, turns that 500 into the same 503. With DEBUG on, Django's technical page is left alone.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
API_MESSAGE = "数据库暂时无法连接，本次操作没有保存，请稍后重试。"
MARK = "_database_unavailable"


def database_unavailable_response(request) -> HttpResponse:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": API_MESSAGE, "code": "database_unavailable"}, status=503, headers=headers)
    # Rendered without the request: the context processors would query the database.
    return HttpResponse(loader.render_to_string("503.html"), status=503, headers=headers)


def _mark_database_errors(sender, request=None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, MARK, error)


got_request_exception.connect(_mark_database_errors, dispatch_uid="config.middleware.database_unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, MARK, None)
        if error is not None and response.status_code == 500 and not settings.DEBUG:
            self._log(request, error)
            replacement = database_unavailable_response(request)
            for header, value in response.items():  # security headers set on the way out, cookies
                if header.lower() not in ("content-type", "content-length"):
                    replacement.headers.setdefault(header, value)
            replacement.cookies = response.cookies
            return replacement
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS) or settings.DEBUG:
            return None
        self._log(request, exception)
        return database_unavailable_response(request)

    @staticmethod
    def _log(request, error) -> None:
        logger.error(
            "database unavailable: %s %s answered 503 (%s: %s)",
            request.method,
            request.path,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            exc_info=(type(error), error, error.__traceback__),
        )
