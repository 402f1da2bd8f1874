from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import ServicesDep
from assistant.api.errors import APIError

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Alive: the process answers."""
    return {"status": "ok"}


@router.get("/ready")
def ready(services: ServicesDep) -> dict[str, object]:
    """Ready: the model is loaded and the store answers."""
    try:
        dimension = services.kb.encoder.dimension
        chunks = services.kb.store.count()
    except Exception as exc:
        raise APIError(503, "unavailable", f"not ready: {exc}") from exc
    return {"status": "ready", "chunks": chunks, "embedding_dimension": dimension}
