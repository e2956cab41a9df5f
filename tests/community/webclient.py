"""An in-process browser for the route tests: keeps cookies, reads the page's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

TOKEN = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


class Visitor:
    """One browser: ``get`` pages, ``post`` forms with the token of the last page seen."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.client = TestClient(app, base_url=base_url)
        self.token = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        found = TOKEN.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
        if not self.token:
            self.get("/")
        form = {"csrf_token": self.token, **(data or {})}
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(path, data=form, **kwargs)

    def htmx(self, path: str, data: dict[str, str] | None = None) -> Any:
        if not self.token:
            self.get("/")
        headers = {"HX-Request": "true", "X-CSRF-Token": self.token}
        return self.client.post(path, data=data or {}, headers=headers, follow_redirects=False)

    def sign_up(self, handle: str, password: str = "correct horse battery") -> Any:
        self.get("/signup")
        response = self.post(
            "/signup",
            {"email": f"{handle}@example.org", "handle": handle, "password": password},
        )
        assert response.status_code == 303, response.text
        return response
