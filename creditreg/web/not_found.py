"""The portal's pages for an address that names nothing (404) and for input no page can
take (422), in the portal's frame."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from creditreg import __version__

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(("html",)),
)


def render_not_found(path: str) -> str:
    """The page, naming the address asked for (escaped, and cut short)."""
    shown = path if len(path) <= 200 else path[:200] + "…"
    return _env.get_template("not_found.html").render(path=shown, version=__version__)


def render_bad_input() -> str:
    """A page's address or form held a character no text may hold (a NUL)."""
    return _env.get_template("bad_input.html").render(version=__version__)


def page_wanted(scope: Mapping[str, Any]) -> bool:
    """A browser asking for a portal page (not the API, its schema or its docs): a refusal
    is then a page too, not the API's JSON."""
    if str(scope.get("path", "")).startswith(("/api/", "/openapi.json", "/docs")):
        return False
    accept = next((v for n, v in scope.get("headers", []) if n == b"accept"), b"")
    return b"text/html" in accept
