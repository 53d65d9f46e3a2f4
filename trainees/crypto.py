"""Personal data at rest: encryption with rotatable keys, and a keyed blind index for exact lookup.

Ciphertexts carry the name of their cipher ("f1:" = Fernet), so another cipher (SM4, say) can be added beside
it and old values still decrypt until `rotate_pii_keys` re-encrypts them. Keys come from the environment:
PII_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first) and PII_BLIND_INDEX_KEY (separate on purpose:
knowing the index key must not help decrypt, and rotating encryption keys must not change the index).
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class FernetCipher:
    prefix = "f1:"

    def __init__(self, keys: list[str]):
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self.prefix + self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token[len(self.prefix) :].encode()).decode()

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (no-op in meaning, new ciphertext)."""
        return self.prefix + self._fernet.rotate(token[len(self.prefix) :].encode()).decode()


@lru_cache(maxsize=1)
def cipher() -> FernetCipher:
    return FernetCipher(settings.PII_ENCRYPTION_KEYS)


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext)


def decrypt(token: str) -> str:
    if not token.startswith(FernetCipher.prefix):
        raise InvalidToken(f"unknown cipher prefix {token[:3]!r}")
    return cipher().decrypt(token)


@lru_cache(maxsize=1)
def _index_hmac():
    return hmac.new(settings.PII_BLIND_INDEX_KEY.encode(), digestmod=hashlib.sha256)


INDEX_LENGTH = 32  # hex characters: 128 bits, no collision in any population


def blind_index(value: str) -> str:
    """HMAC-SHA256 of the normalised value, truncated hex: equal values give equal indexes, nothing else leaks."""
    h = _index_hmac().copy()
    h.update(value.encode())
    return h.hexdigest()[:INDEX_LENGTH]


def reset_caches() -> None:
    """After the keys in settings change (tests, rotation)."""
    cipher.cache_clear()
    _index_hmac.cache_clear()


class EncryptedTextField(models.TextField):
    """A text column holding ciphertext; Python sees the plaintext. Never filter on it: use the blind index."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise TypeError(f"encrypted field cannot be filtered with {lookup_name!r}; use the blind index")
        return super().get_lookup(lookup_name)
