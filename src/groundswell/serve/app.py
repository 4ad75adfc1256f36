"""The Starlette app: pages (HTML shells filled by ``static/app.js``) and the JSON API.

Every response carries a strict Content-Security-Policy (no inline script), ``nosniff`` and
``no-referrer``. With a token, every request must carry it (``Authorization: Bearer T``, or
``?token=T`` once, which sets an HttpOnly SameSite=Strict cookie); else 401.
"""

from __future__ import annotations

import contextlib
import hmac
import threading
from collections.abc import AsyncIterator
from html import escape
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from groundswell.errors import GroundswellError, InputError
from groundswell.serve import analyses, queries
from groundswell.serve.snapshot import Snapshot, SnapshotHolder

# Plotly injects two <style> elements: an empty one it fills through CSSOM (insertRule) and
# one with its fixed base rules. Their hashes admit exactly these two and no other inline style
# (data never reaches a style); scripts stay 'self' only.
PLOTLY_STYLES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "  # the empty element
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"  # plotly.js 3 base rules
)
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    f"style-src 'self' {PLOTLY_STYLES}; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
COOKIE = "gs_token"
PAGES = [  # path, template, title
    ("/", "overview", "Overview"),
    ("/timeline", "timeline", "Timeline"),
    ("/family", "family", "Hashtag family"),
    ("/testimonies", "testimonies", "Testimonies"),
    ("/people", "people", "People"),
    ("/pileons", "pileons", "Pile-ons"),
    ("/articles", "articles", "Articles"),
    ("/posts", "posts", "Posts"),
]
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}


def _package_text(*parts: str) -> str:
    return resources.files("groundswell.serve").joinpath(*parts).read_text(encoding="utf-8")


def plotly_js() -> Any:
    """Plotly's own bundled script inside the installed ``plotly`` package (never a CDN)."""
    return resources.files("plotly").joinpath("package_data", "plotly.min.js")


class Guard:
    """ASGI middleware: security headers on every response; the token check when one is set."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: frozenset[str] | None) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    h for h in message["headers"] if h[0].lower() not in dict(SECURITY_HEADERS)
                ] + SECURITY_HEADERS
            await send(message)

        if self.hosts is not None and _host(scope) not in self.hosts:
            # a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is refused
            response = JSONResponse({"error": "unknown host"}, status_code=400)
            await response(scope, receive, send_with_headers)
            return
        if self.token:
            request = Request(scope)
            given = request.query_params.get("token")
            if given is not None and _same(given, self.token):
                # the token once in the address: keep it in a cookie, take it out of the URL
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + ("?" + urlencode(rest) if rest else "")
                response: Response = RedirectResponse(target, status_code=303)
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
                await response(scope, receive, send_with_headers)
                return
            auth = request.headers.get("authorization", "")
            bearer = auth[7:] if auth.lower().startswith("bearer ") else None
            cookie = request.cookies.get(COOKIE)
            if not any(v is not None and _same(v, self.token) for v in (bearer, cookie)):
                response = JSONResponse(
                    {"error": "a token is required: Authorization: Bearer T, or ?token=T once"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def _host(scope: Scope) -> str:
    """The request's Host header without its port, lower case (IPv6 without brackets)."""
    raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").strip().lower()
    if raw.startswith("["):
        return raw[1 : raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _json(data: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def create_app(
    db: str,
    token: str | None = None,
    *,
    warm: bool = True,
    hosts: frozenset[str] | None = LOOPBACK_NAMES,
) -> Starlette:
    """The dashboard over the store ``db``: a snapshot is taken now (or as soon as the store can
    be read) and refreshed when the file changes; ``warm`` computes the analyses in the
    background after each snapshot. Without a token only requests addressed to a loopback name
    (``hosts``) are answered; with one, any host that carries the token."""
    holder = SnapshotHolder(db)
    if warm:
        holder.on_snapshot = lambda snap: threading.Thread(
            target=analyses.warm, args=(snap,), daemon=True
        ).start()
    holder.refresh(force=True)
    page_shell = Template(_package_text("templates", "page.html"))
    bodies = {name: _package_text("templates", f"{name}.html") for _, name, _ in PAGES}

    def header(snap: Snapshot | None) -> str:
        if snap is None:
            why = (
                "store busy (another process is writing it)"
                if holder.error is None
                else (holder.error)
            )
            return f"No data yet: {why}; retrying every few seconds."
        when = snap.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        if holder.busy is not None:
            return f"store busy: showing data as of {when}"
        return f"data as of {when}"

    def page(name: str, title: str):
        def endpoint(request: Request) -> Response:
            holder.maybe_refresh()
            snap = holder.snapshot
            synthetic = snap is not None and snap.computed("synthetic", _synthetic)
            nav = "".join(
                f'<a href="{p}"{" aria-current=page" if n == name else ""}>{escape(t)}</a>'
                for p, n, t in PAGES
            )
            banner = (
                '<div class="synthetic" role="note">SYNTHETIC DATA: generated by groundswell '
                "demo; no post, account or person in it is real.</div>"
                if synthetic
                else ""
            )
            html = page_shell.substitute(
                title=escape(title),
                page=escape(name),
                nav=nav,
                store=escape(str(holder.path.name)),
                status=escape(header(snap)),
                busy="busy" if holder.busy or snap is None else "",
                banner=banner,
                body=bodies[name],
            )
            return HTMLResponse(html, headers={"Cache-Control": "no-store"})

        return endpoint

    def api(compute, *, cached: bool = True):
        def endpoint(request: Request) -> Response:
            holder.maybe_refresh()
            snap = holder.snapshot
            if snap is None:
                return _json({"error": header(None)}, 503)
            key = ("api", request.url.path, str(request.query_params))
            body = snap.cache.get(key) if cached else None
            if body is None:
                try:
                    data = compute(snap, request.query_params)
                except InputError as exc:
                    return _json({"error": str(exc)}, 400)
                except GroundswellError as exc:
                    return _json({"error": analyses.explain(exc)}, 422)
                data = {"status": {**queries.status(snap), "busy": _busy(holder)}, **data}
                body = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
                if cached:
                    if len(snap.cache) > 2000:
                        snap.cache.clear()
                    snap.cache[key] = body
            return Response(body, media_type="application/json",
                            headers={"Cache-Control": "no-store"})  # fmt: skip

        return endpoint

    def analysis(name: str):
        def compute(snap: Snapshot, _q: Any) -> dict[str, Any]:
            try:
                return {"rows": snap.computed(name, getattr(analyses, name)), "error": None}
            except Exception as exc:
                return {"rows": [], "error": analyses.explain(exc)}

        return compute

    def articles(snap: Snapshot, q: Any) -> dict[str, Any]:
        from groundswell.analyze.article import method_quality

        return {**analysis("articles")(snap, q), "method": method_quality()}

    def family(snap: Snapshot, q: Any) -> dict[str, Any]:
        facet = queries.facets(snap)
        seed = (q.get("seed") or "").strip().lower()
        if seed and seed not in facet["tags"]:
            raise InputError(f"{seed[:40]!r} is not a tag used by at least 10 authors")
        if not seed:
            seed = snap.computed("seed", analyses.movement_seed)["seed"] or ""
            if seed and seed not in facet["tags"]:
                return {
                    "seed": seed,
                    "rows": [],
                    "choices": facet["tags"][:40],
                    "error": f"the movement's tag {seed} has fewer than 10 authors",
                }
        if not seed:
            return {"seed": None, "rows": [], "error": "no post in the store carries a hashtag"}
        try:
            out = snap.computed(f"family:{seed}", lambda s: analyses.family(s, seed))
            return {**out, "error": None, "choices": facet["tags"][:40]}
        except Exception as exc:
            return {"seed": seed, "rows": [], "error": analyses.explain(exc),
                    "choices": facet["tags"][:40]}  # fmt: skip

    def people(snap: Snapshot, _q: Any) -> dict[str, Any]:
        try:
            return {**snap.computed("people", analyses.people), "error": None}
        except Exception as exc:
            return {"rows": [], "error": analyses.explain(exc)}

    def timeline(snap: Snapshot, q: Any) -> dict[str, Any]:
        tags = [t.strip().lower() for t in (q.get("tags") or "").split(",") if t.strip()]
        allowed = set(queries.facets(snap)["tags"])
        bad = [t for t in tags if t not in allowed]
        if bad:
            raise InputError(f"{bad[0][:40]!r} is not a tag used by at least 10 authors")
        return queries.timeline(snap, tags[:12] or None)

    def overview(snap: Snapshot, q: Any) -> dict[str, Any]:
        return analyses.overview(snap, platform_of(q))  # warmed with the analyses

    def platform_of(q: Any) -> str | None:
        return queries.PostFilter.parse({"platform": q.get("platform")}).platform

    routes = [Route(p, page(n, t)) for p, n, t in PAGES]
    routes += [
        Route("/api/status", api(lambda s, q: {}, cached=False)),
        Route("/api/facets", api(lambda s, q: queries.facets(s))),
        Route("/api/overview", api(overview)),
        Route("/api/timeline", api(timeline)),
        Route("/api/family", api(family)),
        Route("/api/testimonies", api(lambda s, q: queries.testimonies(s, platform_of(q)))),
        Route("/api/people", api(people)),
        Route("/api/pileons", api(analysis("pileons"))),
        Route("/api/articles", api(articles)),
        Route(
            "/api/posts",
            api(
                lambda s, q: queries.posts(
                    s, queries.PostFilter.parse(q), _offset(q.get("offset"))
                ),
                cached=False,  # queries.posts keeps its own cache
            ),
        ),
        Route("/api/refresh", refresh_endpoint(holder), methods=["POST"]),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/static/plotly.min.js", plotly_endpoint),
        Route("/static/{name}", static_endpoint),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        holder.close()  # let DuckDB go before the interpreter does

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.holder = holder
    app.add_middleware(Guard, token=token, hosts=None if token else hosts)
    return app


def _synthetic(snap: Snapshot) -> bool:
    """Whether the store holds posts the demo generated (the pages then say so)."""
    row = snap.cursor().execute("SELECT coalesce(bool_or(synthetic), false) FROM posts")
    return bool(row.fetchone()[0])


def _busy(holder: SnapshotHolder) -> str | None:
    return holder.busy.isoformat(timespec="seconds") if holder.busy else None


def _offset(text: str | None) -> int:
    try:
        value = int(text or 0)
    except ValueError:
        raise InputError(f"offset {text[:20]!r} is not a whole number") from None
    if not 0 <= value <= 1_000_000:
        raise InputError("offset is out of range: use 0 to 1,000,000")
    return value


def refresh_endpoint(holder: SnapshotHolder):
    """POST /api/refresh: take a new snapshot now if the store can be read (never waits)."""

    def endpoint(request: Request) -> Response:
        took = holder.refresh(force=True)
        return _json({"refreshed": took, "busy": _busy(holder), "error": holder.error})

    return endpoint


def plotly_endpoint(request: Request) -> Response:
    """Plotly's bundled script, from the installed plotly package."""
    with resources.as_file(plotly_js()) as path:
        return FileResponse(path, media_type="text/javascript",
                            headers={"Cache-Control": "max-age=3600"})  # fmt: skip


def static_endpoint(request: Request) -> Response:
    """Our own small script and style sheet."""
    name = request.path_params["name"]
    if name not in STATIC:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        _package_text("static", name),
        media_type=STATIC[name],
        headers={"Cache-Control": "no-cache"},
    )
