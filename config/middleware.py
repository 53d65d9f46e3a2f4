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

import json
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


# --- malformed input ------------------------------------------------------------------------------------------

MAX_QUERY_STRING = 4096  # the longest query string a page builds is a few hundred characters
MALFORMED_API_MESSAGE = "请求参数不合法：含有不允许的字符（如 NUL 控制字符）或长度超出限制，请检查后重试。"
MALFORMED_PAGE = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>请求参数不合法</title></head>'
    '<body style="padding:3rem;font-family:sans-serif"><h1 style="font-size:1.4rem">请求参数不合法</h1>'
    "<p>地址或表单中含有不允许的字符（如 NUL 控制字符），或参数长度超出限制。请返回上一页，检查输入后重试。</p>"
    '<p style="color:#666;font-size:small">Bad request: a parameter contains a NUL character or is too long.</p>'
    '<a href="/">返回工作台</a></body></html>'
)


def malformed_input_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MALFORMED_API_MESSAGE, "code": "malformed_input"}, status=400)
    return HttpResponse(MALFORMED_PAGE, status=400, content_type="text/html; charset=utf-8")


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _json_has_nul(body: bytes) -> bool:
    """A NUL in a JSON key or string (JSON writes it \\u0000; the body is parsed only when that is in it)."""
    if b"\\u0000" not in body:
        return False
    try:
        data = json.loads(body)
    except ValueError:  # not JSON after all: the parser of the view reports it
        return False
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class MalformedInputMiddleware:
    """A NUL character anywhere in the path, a query-string or form key or value, or an absurdly long query string,
    is answered 400 (Chinese JSON under /api/, a short Chinese page otherwise) before any view runs.

    PostgreSQL refuses NUL in text (psycopg raises DataError), so one such value reaching a raw filter used to be a
    500. This is the guard at the door; the views still validate every parameter themselves (forms, FilterSets,
    accounts.forms), and tests/security/test_malformed_input.py checks both with and without this middleware.
    A JSON body with a NUL in a key or string is refused too (a SlugRelatedField would look it up); files are
    left to the upload checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._malformed(request):
            logger.info("malformed input: %s %r answered 400", request.method, request.path[:200])
            return malformed_input_response(request)
        return self.get_response(request)

    @staticmethod
    def _malformed(request) -> bool:
        if "\x00" in request.path or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            return True
        if _has_nul(request.GET):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        # A malformed or oversized body raises here as it would in the view; Django answers those 400.
        try:
            if request.content_type in ("application/json", "text/json") or request.content_type.endswith("+json"):
                return _json_has_nul(request.body)
            return request.method == "POST" and _has_nul(request.POST)  # Django parses form bodies of POSTs only
        except OSError:  # the client went away mid-upload: left to CsrfViewMiddleware, as before
            return False
