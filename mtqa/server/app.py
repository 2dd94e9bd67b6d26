"""The HTTP application: routes, limits and errors. Checking itself happens in CheckWorker.

Routes: ``POST /v1/check`` (mtqa's own: findings in the JSONL schema, the run signature, pass or
fail), ``POST /v2/check`` and ``GET /v2/languages`` (LanguageTool's API), ``GET /v1/rules`` and
``GET /health``. Every error is a JSON object ``{"error": ...}`` with a 4xx or 5xx status, never a
traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import ipaddress
import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from mtqa import __version__
from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import ConfigError, InputError, MtqaError
from mtqa.finding import SEVERITY_RANK
from mtqa.server import languagetool as lt
from mtqa.server.worker import CheckWorker, QueueFull

logger = logging.getLogger("mtqa.server")

OPEN_PATHS = ("/health",)  # answered without the token: a liveness probe carries no secret
NINJS_KEYS = ("headline", "headlines", "body_text", "body_html", "bodies")


def error(status: int, message: str, headers: dict | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status, headers=headers)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Guard:
    """ASGI middleware in front of every route (mounted apps too): the bearer token, and the
    request-size limit, enforced on the bytes as they arrive so an oversized body is never held."""

    def __init__(self, app, token: str | None, max_bytes: int):
        self.app = app
        self.token = token
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        authorized = self._authorized(headers.get("authorization", ""), scope["path"])
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await self._reply(scope, receive, send, self._too_large())
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._reply(scope, receive, send, self._too_large())
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if not authorized and scope["path"].startswith("/v2/"):
            # LanguageTool clients cannot add headers; its API carries a key as the apiKey field.
            authorized = self._matches(self._api_key(scope, headers, body))
        if not authorized:
            return await self._reply(scope, receive, send, error(
                401, "missing or wrong bearer token (Authorization: Bearer ...)",
                headers={"WWW-Authenticate": 'Bearer realm="mtqa"'}))
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> JSONResponse:
        return error(413, f"request body over the limit of {self.max_bytes:,} bytes (see --max-bytes)")

    @staticmethod
    async def _reply(scope, receive, send, response) -> None:
        await response(scope, receive, send)

    def _authorized(self, header: str, path: str) -> bool:
        if not self.token or path in OPEN_PATHS:
            return True
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and self._matches(value.strip())

    def _matches(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.token.encode())

    @staticmethod
    def _api_key(scope, headers: dict, body: bytes) -> str | None:
        fields = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields.update(parse_qs(body.decode("utf-8", "replace")))
        return (fields.get("apiKey") or [None])[0]


# ---- request parsing -----------------------------------------------------------------------

def _codes(value: Any, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(name, "expected a string or a list of strings")
    return tuple(p.strip() for v in value for p in v.split(",") if p.strip())


def _flag(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
        return value.lower() in ("1", "true", "yes", "on")
    raise InputError(name, "expected true or false")


def request_config(base: Config, select=None, ignore=None, fail_on=None, no_lm=None) -> Config:
    """The server's settings with a request's own options over them."""
    changes: dict[str, Any] = {}
    if select is not None:
        changes["select"] = select
    if ignore is not None:
        changes["ignore"] = ignore
    if fail_on is not None:
        if not isinstance(fail_on, str):
            raise InputError("fail_on", "expected a severity name")
        changes["fail_on"] = fail_on
    if no_lm:
        changes["use_lm"] = False
    return dataclasses.replace(base, **changes) if changes else base


def text_document(path: str, text: str) -> Document:
    """A request's plain text, held to the same checks as a file (empty, binary, NUL). Kept
    exactly as sent, a leading U+FEFF included, since the caller counts offsets in it."""
    from mtqa.readers.text import decode_text

    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(path, "text holds a lone surrogate (\\ud800-\\udfff); send valid Unicode") from None
    decode_text(path, data)
    return Document(path, text)


def body_documents(path: str, raw: bytes) -> list[Document]:
    """A raw request body: plain text or Markdown, or a feed (RSS/Atom, NewsML-G2, ninjs)."""
    from mtqa.readers.feeds import sniff_and_read
    from mtqa.readers.text import decode_text

    text = decode_text(path, raw)
    return sniff_and_read(path, raw, text) or [Document(path, text)]


def json_documents(path: str, body: Any) -> list[Document]:
    from mtqa.readers.feeds import read_ninjs

    if isinstance(body, dict) and "text" in body:
        if not isinstance(body["text"], str):
            raise InputError("text", "expected a string")
        return [text_document(path, body["text"])]
    item = body.get("item") if isinstance(body, dict) and "item" in body else body
    is_item = isinstance(item, dict) and (any(k in item for k in NINJS_KEYS) or isinstance(item.get("items"), list))
    is_list = isinstance(item, list) and item and all(isinstance(i, dict) for i in item)
    if not (is_item or is_list):
        raise InputError("body", 'expected {"text": "..."}, {"item": <ninjs>}, a ninjs item, or a list of them')
    return read_ninjs(path, json.dumps(item))


# ---- the application -----------------------------------------------------------------------

def create_app(config: Config, worker: CheckWorker | None = None, routes: Sequence[BaseRoute] = (),
               log: Callable[[str], None] = logger.info) -> "Guard":
    """The ASGI app (the Starlette app behind the Guard, as ``.app``). ``worker``: a started
    CheckWorker (else the app starts and stops its own). ``routes``: more routes served beside
    mtqa's, behind the same token and size limit, e.g. ``[Mount("/review", app=review_app)]``."""
    owned = worker is None
    worker = worker or CheckWorker(config, log=log)

    async def run_check(docs: list[Document], cfg: Config):
        """(findings, signature), or an error response: 503 when the queue is full, 504 on timeout."""
        try:
            job = worker.submit(docs, cfg)
        except QueueFull as exc:
            return error(503, str(exc), headers={"Retry-After": str(exc.retry_after)})
        try:
            return await asyncio.wait_for(asyncio.wrap_future(job.future), timeout=config.serve_timeout)
        except asyncio.TimeoutError:
            job.future.cancel()  # not checked at all if the worker has not reached it yet
            worker.stats["timed_out"] += 1
            return error(504, f"the check took longer than {config.serve_timeout:g} s (see --timeout)")

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({
            "status": "ok" if worker.running else "unavailable", "version": __version__, "model": worker.model_id,
            "queue": {"waiting": worker.queue.qsize(), "capacity": config.serve_queue},
            "batch": config.serve_batch, "timeout_s": config.serve_timeout, "stats": dict(worker.stats),
        }, status_code=200 if worker.running else 503)

    async def rules(request: Request) -> JSONResponse:
        from mtqa.pipeline import active_rules
        from mtqa.registry import RULES

        active = {r.code for r in active_rules(config, worker.lm is not None)}
        return JSONResponse({"rules": [{
            "code": r.code, "name": r.name, "category": r.category, "severity": r.severity,
            "summary": r.summary, "needs_lm": r.needs_lm, "scope": r.scope, "active": r.code in active,
        } for r in RULES]})

    async def check_v1(request: Request) -> JSONResponse:
        started = time.perf_counter()
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await request.body()
        q = request.query_params
        if ctype == "application/json":
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, absurd nesting
                return error(400, f"malformed JSON: {exc}")
            opts = body if isinstance(body, dict) else {}
        else:
            body = None
            opts = {k: q.get(k) for k in ("id", "path", "fail_on", "no_lm")}
            opts.update({k: q.getlist(k) or None for k in ("select", "ignore")})
        req_id = opts.get("id") if opts.get("id") is not None else request.headers.get("x-request-id")
        path = opts.get("path") or "-"
        try:
            if not isinstance(path, str):
                raise InputError("path", "expected a string")
            cfg = request_config(config, _codes(opts.get("select"), "select"), _codes(opts.get("ignore"), "ignore"),
                                 opts.get("fail_on"), _flag(opts.get("no_lm"), "no_lm"))
            docs = json_documents(path, body) if body is not None else body_documents(path, raw)
        except MtqaError as exc:
            return error(400, str(exc), id=req_id)
        outcome = await run_check(docs, cfg)
        if isinstance(outcome, JSONResponse):
            return outcome
        findings, signature = outcome
        worst = max((f.severity_rank for f in findings), default=-1)
        passed = cfg.fail_on == "never" or worst < SEVERITY_RANK[cfg.fail_on]
        headers = {"X-Request-ID": str(req_id)} if req_id is not None else None
        return JSONResponse({
            "id": req_id,
            "passed": passed,
            "fail_on": cfg.fail_on,
            "documents": [{"path": d.path, "words": d.word_count,
                           "findings": sum(1 for f in findings if f.path == d.path)} for d in docs],
            "findings": [f.to_json() for f in findings],
            "signature": signature,
            "elapsed_ms": round(1000 * (time.perf_counter() - started), 1),
        }, headers=headers)

    async def check_v2(request: Request) -> JSONResponse:
        # LanguageTool takes its parameters as a form (POST) or in the query string (GET).
        form = await request.form() if request.method == "POST" else {}
        fields = {**request.query_params, **{k: v for k, v in form.items() if isinstance(v, str)}}
        try:
            language = lt.language_for(fields.get("language"))
            annotated = None
            if fields.get("text") is not None:
                doc = text_document("-", fields["text"])
            elif fields.get("data") is not None:
                annotated = lt.parse_annotation(fields["data"])
                doc = text_document("-", annotated.plain)
            else:
                raise InputError("text", "missing: give the form field text (or data)")
            ignore = (_codes(fields.get("disabledRules"), "disabledRules") or ()) + tuple(
                c.lower().replace("_", "-") for c in _codes(fields.get("disabledCategories"), "disabledCategories") or ())
            select = None
            if _flag(fields.get("enabledOnly"), "enabledOnly"):
                select = (_codes(fields.get("enabledRules"), "enabledRules") or ()) + tuple(
                    c.lower().replace("_", "-") for c in _codes(fields.get("enabledCategories"), "enabledCategories") or ())
                if not select:
                    raise InputError("enabledOnly", "needs enabledRules or enabledCategories")
            cfg = request_config(config, select=select, ignore=ignore or None)
        except MtqaError as exc:
            return error(400, str(exc))
        outcome = await run_check([doc], cfg)
        if isinstance(outcome, JSONResponse):
            return outcome
        findings, signature = outcome
        return JSONResponse(lt.response(doc, findings, language, annotated, signature))

    async def languages(request: Request) -> JSONResponse:
        return JSONResponse(lt.LANGUAGES)

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, exc.detail, headers=getattr(exc, "headers", None))

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("mtqa serve: %s %s failed", request.method, request.url.path)
        return error(500, f"internal error ({type(exc).__name__}); the server log has the details",
                     ref=uuid.uuid4().hex[:12])

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if owned:
            await asyncio.to_thread(worker.start)
        try:
            yield
        finally:
            if owned:
                await asyncio.to_thread(worker.stop)

    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/v1/rules", rules, methods=["GET"]),
            Route("/v1/check", check_v1, methods=["POST"]),
            Route("/v2/check", check_v2, methods=["GET", "POST"]),
            Route("/v2/languages", languages, methods=["GET"]),
            *routes,
        ],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
        lifespan=lifespan,
    )
    app.state.worker = worker
    app.state.config = config
    return Guard(app, config.serve_token, config.max_bytes)


def check_bind(config: Config) -> None:
    """Refuse to listen beyond this machine without a token."""
    if not is_loopback(config.serve_host) and not config.serve_token:
        raise ConfigError(f"--host {config.serve_host} is reachable from other machines; give --token "
                          "(or $MTQA_SERVE_TOKEN) so that only callers with it are answered")


def review_mount(config: Config, worker: CheckWorker, paths: Sequence[str], out_dir: str) -> Mount:
    """The review page (mtqa.review) for ``paths``, checked once through the server's own model
    worker, mounted at /review."""
    from mtqa.readers import read_all
    from mtqa.review.app import build_app
    from mtqa.review.session import ReviewSession

    items = list(read_all(list(paths), config.max_bytes))
    docs = [d for d in items if isinstance(d, Document)]
    errors = [str(e) for e in items if not isinstance(e, Document)]
    findings, _ = worker.submit(docs, config).future.result() if docs else ([], None)
    inputs = [Path(p).resolve() for p in paths if p != "-" and Path(p).exists()]
    session = ReviewSession.from_result(docs, findings, Path(out_dir), inputs, errors)
    # the server's Guard checks the host and the size; the page has no login, so serve() allows it
    # only on loopback without a token
    return Mount("/review", app=build_app(session, allowed_hosts=None))


def serve(config: Config, routes: Sequence[BaseRoute] = (), log: Callable[[str], None] = print,
          review: Sequence[str] = (), review_out: str = "mtqa-review") -> None:
    """Load the model, then answer HTTP on ``config.serve_host``:``serve_port`` until interrupted.
    With ``review`` paths, their review page is served at /review too."""
    import uvicorn

    check_bind(config)
    if review and (config.serve_token or not is_loopback(config.serve_host)):
        raise ConfigError("the review page has no login: serve --review only on loopback and without a token")
    worker = CheckWorker(config, log=log).start()
    if review:
        routes = [*routes, review_mount(config, worker, review, review_out)]
        log(f"mtqa: review page at http://{config.serve_host}:{config.serve_port}/review/")
    app = create_app(config, worker, routes, log=log)
    log(f"mtqa: model {worker.model_id}; POST /v1/check, POST /v2/check (LanguageTool), GET /v1/rules, GET /health")
    server = uvicorn.Server(uvicorn.Config(app, host=config.serve_host, port=config.serve_port, log_level="info",
                                           access_log=False, lifespan="on", server_header=False,
                                           # on Ctrl-C or SIGTERM, wait for requests in flight, but not for long
                                           timeout_graceful_shutdown=10))
    try:
        server.run()
    except SystemExit:
        if not server.started:  # uvicorn has logged why (most often: the port is taken)
            raise ConfigError(f"could not listen on {config.serve_host}:{config.serve_port}") from None
        raise
    finally:
        worker.stop()
