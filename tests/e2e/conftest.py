"""HTTP fixtures: the app over a demo-loaded database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from creditreg.api.app import create_app
from creditreg.config import Settings
from creditreg.demo import dataset as demo
from creditreg.services.context import Context

MAX_BODY = 200_000


def bearer(key: str) -> dict[str, str]:
    """Headers for a demo unit's API token: platform, designator, provider, implementer."""
    return {"Authorization": f"Bearer {demo.token_for(key)}"}


@pytest.fixture
def api(ctx: Context, demo_data: None) -> Iterator[TestClient]:
    """The app over a copy of the demo-loaded template database."""
    app = create_app(ctx, Settings(max_upload_bytes=MAX_BODY))
    with TestClient(app) as client:
        yield client
