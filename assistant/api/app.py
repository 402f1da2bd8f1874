"""The FastAPI application: a thin HTTP layer over ``assistant.services.Services``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from assistant.api import errors
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
        _ = app.state.services.kb.encoder.model  # load the model once, before the first request
        _ = app.state.services.answerer.off_topic.vectors  # and embed the refusal's subjects
        yield

    app = FastAPI(
        title="CertGuide 认证助手 API",
        version="0.1.0",
        description="Grounded answers on the XK production licence and ISO 9001, with citations.",
        lifespan=lifespan,
    )
    errors.install(app)

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Refuse oversized bodies before reading them (uploads get the file limit)."""
        length = request.headers.get("content-length")
        is_upload = request.headers.get("content-type", "").startswith("multipart/")
        limit = settings.max_file_bytes + UPLOAD_OVERHEAD_BYTES if is_upload else MAX_JSON_BYTES
        if length is not None and length.isdigit() and int(length) > limit:
            return errors.error_response(413, "too_large", f"request body over {limit} bytes")
        return await call_next(request)

    for module in (health, search, ask, openai_compat, documents, conversations, evals, orgs,
                   quizzes):  # fmt: skip
        app.include_router(module.router)
    return app
