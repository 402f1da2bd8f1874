"""The FastAPI application: a thin HTTP layer over ``assistant.services.Services``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from assistant.api import errors
from assistant.api.body_limit import BodyLimit
from assistant.api.routers import (
    ask,
    conversations,
    documents,
    evals,
    health,
    openai_compat,
    orgs,
    quizzes,
    search,
)
from assistant.services import Services
from assistant.settings import Settings, get_settings

MAX_JSON_BYTES = 64 * 1024
UPLOAD_OVERHEAD_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or Services.build(settings)
        app.state.services.prepare()  # before the first request, not during it
        yield

    app = FastAPI(
        title="CertGuide 认证助手 API",
        version="0.1.0",
        description="Grounded answers on the XK production licence and ISO 9001, with citations.",
        lifespan=lifespan,
        responses=errors.ERROR_RESPONSES,
    )
    errors.install(app)

    def body_limit(content_type: str) -> int:
        """Uploads get the file limit, everything else the JSON limit."""
        if content_type.startswith("multipart/"):
            return settings.max_file_bytes + UPLOAD_OVERHEAD_BYTES
        return MAX_JSON_BYTES

    app.add_middleware(BodyLimit, limit_for=body_limit)

    for module in (health, search, ask, openai_compat, documents, conversations, evals, orgs,
                   quizzes):  # fmt: skip
        app.include_router(module.router)
    return app
