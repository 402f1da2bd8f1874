"""One JSON error shape for every failure: {"error": {"code", "message"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.access import AccessError, NotAllowed, NotVisible
from assistant.api.schemas import ErrorReply
from assistant.conversations import ConversationNotFound
from assistant.embedding.encoder import EmbeddingModelError
from assistant.quiz.generate import QuizError
from assistant.quiz.store import QuizNotFound
from assistant.store.chroma_store import StoreError


class APIError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# a Chinese headline before the English detail (validation, not-found, file errors), so
# every error reads in both languages; messages written in both already keep their own
HEADLINES = {
    "bad_request": "请求有误",
    "bad_file": "文件无法读取",
    "unauthorized": "未授权：请提供有效的 API 密钥",
    "forbidden": "无权执行此操作",
    "not_found": "找不到",
    "method_not_allowed": "不支持此请求方法",
    "conflict": "操作冲突，请重试",
    "too_large": "内容过大",
    "unsupported_media_type": "不支持的文件类型",
    "invalid_request": "请求无效",
    "unavailable": "服务暂不可用",
}


def error_response(status: int, code: str, message: str, bilingual: bool = False) -> JSONResponse:
    if not bilingual:
        message = f"{HEADLINES.get(code, '出错了')} / {message}"
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    503: "unavailable",
}


# every route may answer these, all with the one error shape (listed in the OpenAPI document)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorReply, "description": code} for status, code in _STATUS_CODES.items()
}


def install(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_: Request, exc: APIError) -> JSONResponse:
        response = error_response(exc.status, exc.code, exc.message)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
            problems.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
        return error_response(422, "invalid_request", "; ".join(problems) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        response = error_response(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})  # Allow of a 405
        return response

    @app.exception_handler(ConversationNotFound)
    async def _conversation(_: Request, exc: ConversationNotFound) -> JSONResponse:
        return error_response(404, "not_found", f"unknown conversation {exc.args[0]!s}")

    @app.exception_handler(QuizNotFound)
    async def _quiz(_: Request, exc: QuizNotFound) -> JSONResponse:
        return error_response(404, "not_found", f"unknown quiz or question {exc.args[0]!s}")

    @app.exception_handler(QuizError)
    async def _quiz_request(_: Request, exc: QuizError) -> JSONResponse:
        return error_response(422, exc.code, str(exc), bilingual=True)

    @app.exception_handler(NotVisible)
    async def _not_visible(_: Request, exc: NotVisible) -> JSONResponse:
        return error_response(404, "not_found", f"unknown org {exc.args[0]!s}")

    @app.exception_handler(NotAllowed)
    async def _not_allowed(_: Request, exc: NotAllowed) -> JSONResponse:
        return error_response(403, "forbidden", str(exc))

    @app.exception_handler(AccessError)
    async def _access(_: Request, exc: AccessError) -> JSONResponse:
        return error_response(422, "invalid_request", str(exc))

    @app.exception_handler(StoreError)
    @app.exception_handler(EmbeddingModelError)
    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        return error_response(503, "unavailable", str(exc))
