"""The review page as a Starlette app: a static page and script, and a small JSON API.

The page is a fixed HTML file and one script served from the package (static/); the copy and its
findings travel as JSON and the script puts them into the page as text nodes, so nothing from the
copy is ever parsed as HTML. Every response carries a Content-Security-Policy that allows scripts
from this server only (no inline script, no eval) and nothing from anywhere else.

All URLs in the page are relative, so the app works alone (`mtqa review`) and mounted under a
prefix of another server (Mount("/review", create_review_app(...)), then open /review/).

Requests that change anything are JSON POSTs: a browser sends a JSON body from another site only
after a CORS preflight, which this app never answers, and a cross-site Origin is refused as well,
so a web page the reviewer visits cannot record decisions or trigger an export.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from mtqa.config import Config
from mtqa.errors import MtqaError
from mtqa.review.session import ReviewSession

STATIC_DIR = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
MAX_BODY = 1_000_000


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _host_name(header: str) -> str:
    """'127.0.0.1:8080' -> '127.0.0.1', '[::1]:8080' -> '::1'."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class SecurityHeaders:
    """ASGI middleware adding HEADERS to every HTTP response and, unless ``allowed_hosts`` is
    None, refusing requests addressed to any other host name: a page elsewhere that re-points its
    own domain at 127.0.0.1 (DNS rebinding) then gets no copy and records nothing."""

    def __init__(self, app, allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS):
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.allowed_hosts is not None:
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            if _host_name(host).lower() not in self.allowed_hosts:
                response = Response("unknown host name; open the page at the address mtqa printed\n",
                                    status_code=421, media_type="text/plain")
                return await response(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site request (curl, tests); JSON content type still required
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


async def _json_body(request: Request) -> dict:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ValueError("send JSON (Content-Type: application/json)")
    if not _same_origin(request):
        raise PermissionError("cross-origin request refused")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ValueError("request too large")
    data = json.loads(body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def build_app(session: ReviewSession, allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS) -> Starlette:
    """The review app over an existing session. ``allowed_hosts``: the host names it answers to
    (default: loopback only); None for a server that guards itself (a bearer token, a proxy)."""

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def state(request: Request) -> Response:
        return JSONResponse(session.payload())

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            try:
                data = await _json_body(request)
                result = await _in_thread(handler, data)
            except PermissionError as exc:
                return JSONResponse({"error": str(exc)}, status_code=403)
            except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
                return JSONResponse({"error": str(exc)}, status_code=400)
            except (MtqaError, OSError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=500)
            return JSONResponse(result)
        return endpoint

    def decide(data: dict) -> dict:
        choice = data.get("choice")
        if choice is not None and not isinstance(choice, int):
            raise ValueError("choice must be an integer")
        session.decide(str(data.get("key")), str(data.get("action")), choice, data.get("replacement"))
        return {"decisions": session.decisions_json()}

    def undo(data: dict) -> dict:
        key = session.undo()
        return {"undone": key, "decisions": session.decisions_json()}

    def export(data: dict) -> dict:
        written = session.export()
        return {"written": [str(p) for p in written], "folder": str((session.out_dir / "corrected").resolve()),
                # fixes a feed file cannot take (they span markup or paragraphs): in its items.jsonl only
                "skipped": [{"path": f.path, "line": f.line, "column": f.column, "code": f.code, "text": f.text}
                            for f in session.skipped]}

    app = Starlette(routes=[
        Route("/", index),
        Route("/api/session", state),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/decide", guarded(decide), methods=["POST"]),
        Route("/api/undo", guarded(undo), methods=["POST"]),
        Route("/api/export", guarded(export), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ])
    app.add_middleware(SecurityHeaders, allowed_hosts=allowed_hosts)
    app.state.review_session = session
    return app


async def _in_thread(fn, *args):
    # File writes block; keep them off the event loop (the log serialises them with a lock).
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def create_review_app(config: Config, paths: list[str], out_dir: str | Path, lm=None, scorer=None,
                      allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS) -> Starlette:
    """Run the pipeline once on ``paths`` (with the model when ``lm``/``scorer`` are given) and
    return the review page for it; decisions and exports go to ``out_dir``."""
    return build_app(ReviewSession.from_paths(list(paths), config, out_dir, lm=lm, scorer=scorer), allowed_hosts)
