"""The OpenAPI 3 document, generated from the marshmallow schemas and the routes with apispec.

Each API view is decorated with :func:`operation`, which records what it reads and answers; the
document is assembled from the URL map, so a route cannot exist without being described.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from markupsafe import Markup, escape
from marshmallow import Schema

from indirect_work.api import schemas

F = TypeVar("F", bound=Callable[..., Any])
#: Request bodies; every other component describes an answer.
INPUT_SCHEMAS = frozenset({"ActivityCreate", "ActivityUpdate"})
ERROR_TEXT = {
    401: "No valid API token (expired, revoked or missing); a browser session may only read.",
    403: "The caller's role does not allow this.",
    404: "No such record, or not one the caller may see.",
    409: "The record changed since the `version` sent, or the request duplicates another.",
    422: "The request is not valid: `error.fields` maps each field to its messages.",
    429: "Too many requests: wait for the number of seconds in `Retry-After`.",
}
DESCRIPTION = """\
The JSON API of Indirect Work, for electronic patient records, business intelligence tools and scripts.
It applies exactly the rules of the web pages: a caller sees and changes what their role allows there.

**Authentication.** Create a personal API token on your account's *API tokens* page
(`/account/api-tokens/`); it is shown once. Send it as `Authorization: Bearer <token>`. A token
carries your own roles and nothing more, and stops working when it expires, when you revoke it, or
when your account is deactivated. A signed-in browser session may read the API but never change
anything.

**Errors** always have the shape `{"error": {"code", "message", "fields"}}`: 422 for data that is not
valid (with `fields` naming each field and its messages), 409 for a stale `version` or a duplicate,
404 for anything that does not exist *or that you may not see*, 401 without a valid token, 403 when your
role does not allow the action, 429 with `Retry-After` when you send too many requests.

**Dates** are ISO 8601: `2026-03-15`, times `14:30:00`, timestamps with a UTC offset.

**Lists** are paged with `page` and `per_page` in a stable order (newest date first, then id).

**Retries.** Send an `Idempotency-Key` header on create: a retry with the same key and body returns the
first response (with `Idempotent-Replayed: true`) instead of a second record; the same key with a
different body is refused with 422.

**Changes** need the `version` you last read: if someone changed the record since, the answer is 409
with the record as it now stands in `error.current`.

**Rate limits.** Each user may make a limited number of requests a minute (see the `X-RateLimit-*`
headers); beyond it the answer is 429 with `Retry-After`.
"""


def operation(
    *,
    summary: str,
    tag: str,
    description: str = "",
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    ok: tuple[int, type[Schema] | None] = (200, None),
    errors: tuple[int, ...] = (),
    public: bool = False,
    headers: list[dict[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Describe an API view for the OpenAPI document."""

    def decorator(view: F) -> F:
        view.openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "tag": tag,
            "description": description,
            "query": query,
            "body": body,
            "ok": ok,
            "errors": errors,
            "public": public,
            "headers": headers or [],
        }
        return view

    return decorator


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path_and_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for converter, name in _CONVERTER.findall(rule):
        schema: dict[str, Any] = (
            {"type": "integer", **schemas.ID} if converter == "int" else {"type": "string"}
        )
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return _CONVERTER.sub(r"{\2}", rule), parameters


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_TEXT[status],
        "content": {"application/json": {"schema": schemas.ErrorSchema}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _operation(meta: dict[str, Any], path_parameters: list[dict[str, Any]]) -> dict[str, Any]:
    status, ok_schema = meta["ok"]
    ok: dict[str, Any] = {"description": "Success." if status != 201 else "Created."}
    if ok_schema is not None:
        ok["content"] = {"application/json": {"schema": ok_schema}}
    if status == 201:
        ok["headers"] = {
            "Location": {"description": "The new record's address.", "schema": {"type": "string"}}
        }
    responses: dict[str, Any] = {str(status): ok}
    codes = set(meta["errors"]) | {429}
    if not meta["public"]:
        codes |= {401}
    if meta["query"] is not None or meta["body"] is not None:
        codes |= {422}
    for code in sorted(codes):
        responses[str(code)] = _error_response(code)
    op: dict[str, Any] = {
        "summary": meta["summary"],
        "tags": [meta["tag"]],
        "responses": responses,
        "parameters": list(path_parameters) + list(meta["headers"]),
    }
    if meta["description"]:
        op["description"] = meta["description"]
    if meta["query"] is not None:
        op["parameters"].append({"in": "query", "schema": meta["query"]})
    if meta["body"] is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
    if meta["public"]:
        op["security"] = []
    return op


def build_spec(app: Flask) -> dict[str, Any]:
    """The whole document, as a dict ready for ``jsonify``."""
    spec = APISpec(
        title="Indirect Work API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "A personal API token from the account page."},
    )
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "openapi", None)
        if not rule.endpoint.startswith("api.") or meta is None:
            continue
        path, parameters = _path_and_parameters(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(meta, parameters)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearerAuth": []}]
    components = document["components"]["schemas"]
    for name, component in components.items():
        if name not in INPUT_SCHEMAS:  # answers always carry every field (``null`` where allowed)
            component["required"] = [
                p for p in component["properties"] if (name, p) != ("ErrorBody", "current")
            ]
    components["ActivityCreate"]["required"] = list(schemas.CREATE_REQUIRED)
    components["ActivityCreate"]["example"] = schemas.CREATE_EXAMPLE
    components["ActivityUpdate"]["example"] = {"version": 1, "duration_minutes": 75, "note": None}
    return document


# The human-readable page -------------------------------------------------------------------------


def markdown_lite(text: str, inline: bool = False) -> Markup:
    """The little Markdown the descriptions use: paragraphs, ``code`` and **bold**; everything escaped."""
    paragraphs = []
    for block in (text or "").strip().split("\n\n"):
        html = str(escape(" ".join(block.split())))
        html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
        html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
        html = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", html)
        paragraphs.append(html if inline else f"<p>{html}</p>")
    return Markup(" ".join(paragraphs) if inline else "".join(paragraphs))


def type_of(prop: dict[str, Any]) -> str:
    """A short type description of a JSON schema property (``array of Activity``, ``string (date)``)."""
    if "$ref" in prop:
        ref: str = prop["$ref"]
        return ref.rsplit("/", 1)[-1]
    if "allOf" in prop:
        return type_of(prop["allOf"][0])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"array of {type_of(prop.get('items', {}))}"
    if prop.get("format"):
        kind = f"{kind} ({prop['format']})"
    if prop.get("nullable"):
        kind += " or null"
    return str(kind)


def constraints_of(prop: dict[str, Any]) -> str:
    names = {
        "minimum": "min",
        "maximum": "max",
        "maxLength": "max length",
        "minItems": "at least",
        "pattern": "pattern",
        "enum": "one of",
    }
    parts = []
    for key, label in names.items():
        if key in prop:
            value = ", ".join(map(str, prop[key])) if isinstance(prop[key], list) else prop[key]
            parts.append(f"{label} {value}")
    return "; ".join(parts)


def operations_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the document, grouped in tag order, ready for the docs template."""
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "tag": op["tags"][0],
                    "summary": op["summary"],
                    "description": markdown_lite(op.get("description", "")),
                    "parameters": op.get("parameters", []),
                    "body": type_of(body) if body else None,
                    "public": op.get("security") == [],
                    "responses": [
                        (
                            code,
                            markdown_lite(r.get("description", ""), inline=True),
                            type_of(r["content"]["application/json"]["schema"]) if r.get("content") else None,
                        )
                        for code, r in op["responses"].items()
                    ],
                }
            )
    order = list(dict.fromkeys(o["tag"] for o in found))
    return sorted(found, key=lambda o: order.index(o["tag"]))
