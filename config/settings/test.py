"""Tests run on PostgreSQL and Redis, defaulting to the local servers."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peixun")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Most tests run tasks inline; tests about the worker start a real one against Redis.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
AXES_FAILURE_LIMIT = 5
# Serve static files from the finders (node_modules, static/) without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Per-process cache unless a test names one (tests/project/test_shared_throttles.py starts servers on Redis):
# cache.clear() between tests must not flush the broker's Redis database, nor two pytest workers share counts.
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fixed keys so tests can check ciphertexts and rotation.
PII_ENCRYPTION_KEYS = ["0Gx1U5Qm1lC2v6q3eYqY0aF0w0m5R9Jt8yqk8yK2hS4="]
PII_BLIND_INDEX_KEY = "test-blind-index-key-7f3a9c"
# Tests make many API calls per second from one client.
_rates = {"anon": os.environ.get("API_THROTTLE_ANON", "10000/min"), "user": "10000/min"}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": _rates}  # noqa: F405
# Two-factor sign-in is switched on by the tests that are about it (tests/accounts/test_two_factor.py).
TWO_FACTOR_REQUIRED = False
