"""The access matrix's request and expected outcome per role (Case), with its shorthands; the tables of pages
(access_cases.py and the modules it merges) and of the API (access_api.py) are made of them."""

from dataclasses import dataclass, field

from .conftest import ROLES


@dataclass(frozen=True)
class Case:
    method: str
    expect: str
    params: dict = field(default_factory=dict)  # URL kwarg -> world id name, or "=literal"
    query: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # form data (pages) or JSON body (API); values may name ids ("@name")
    note: str = ""

    def token(self, role: str) -> str:
        tokens = self.expect.split()
        assert len(tokens) == len(ROLES), f"{self}: {len(tokens)} tokens for {len(ROLES)} roles"
        return tokens[ROLES.index(role)]

    def expected(self, role: str) -> set[str]:
        return set(self.token(role).rstrip("!").split("/"))

    def may_write(self, role: str) -> bool:
        """A role may cause an audit event only if its expected outcome is a success and not marked "!"."""
        return not self.token(role).endswith("!") and is_success(self.expected(role))


def GET(expect, params=None, query=None, note=""):
    return Case("get", expect, params or {}, query or {}, {}, note)


def POST(expect, params=None, data=None, note=""):
    return Case("post", expect, params or {}, {}, data or {}, note)


A9 = "200 200 200 200 200 200 200 200 200"  # public
ALL_SIGNED_IN = "login 200 200 200 200 200 200 200 200"


def is_success(tokens: set[str]) -> bool:
    return any(t == "302" or t.startswith("2") for t in tokens)
