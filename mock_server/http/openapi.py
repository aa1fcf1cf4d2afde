"""GET /openapi.json: the mocked surface, generated from the models that validate requests
(and from the callback models), so the document cannot drift from the behaviour."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from mock_server.families.family import Endpoint
from mock_server.service.waits import CALLBACK_TYPES, DEFAULT_WAIT, MAX_WAIT, TASK_STATUSES
from mock_server.version import __version__

__all__ = ["CONTROL_PLANE", "ControlEndpoint", "build_spec"]


@dataclass(frozen=True)
class ControlEndpoint:
    """One route of the mock's own control plane (`/__mock__/`), not part of the real API."""

    method: str
    path: str
    summary: str
    body: dict[str, Any] | None = None
    """The JSON body's schema, for POSTs that take one."""
    query: tuple[str, ...] = ()
    """Optional query parameters."""
    content_type: str = "application/json"


_ANY_OBJECT: dict[str, Any] = {"type": "object"}
CONTROL_PLANE: tuple[ControlEndpoint, ...] = (
    ControlEndpoint("GET", "/__mock__/", "The live dashboard (one page)", content_type="text/html"),
    ControlEndpoint(
        "GET",
        "/__mock__/events",
        "Server-sent events: task, job, delivery, request, reset, clock",
        content_type="text/event-stream",
    ),
    ControlEndpoint("GET", "/__mock__/health", "Liveness, mock time, task count, credits"),
    ControlEndpoint("GET", "/__mock__/tasks", "Every task, oldest first"),
    ControlEndpoint(
        "GET", "/__mock__/tasks/{id}", "One task: history, record-info and its deliveries"
    ),
    ControlEndpoint(
        "GET",
        "/__mock__/tasks/{id}/scenario",
        "What happened to a task, as a replayable scenario",
        content_type="application/yaml",
    ),
    ControlEndpoint(
        "POST",
        "/__mock__/tasks/{id}/resend",
        "Send one of the task's callbacks again",
        body={
            "type": "object",
            "required": ["stage"],
            "properties": {"stage": {"enum": ["text", "first", "complete", "error"]}},
        },
    ),
    ControlEndpoint(
        "GET",
        "/__mock__/deliveries",
        "Callbacks and every delivery attempt",
        query=("taskId",),
    ),
    ControlEndpoint("GET", "/__mock__/requests", "Every API request and the answer it got"),
    ControlEndpoint(
        "GET",
        "/__mock__/inbox",
        "Every callback the inbox got, oldest first (with count: once that many arrived)",
        query=("since", "limit", "count", "timeout"),
    ),
    ControlEndpoint(
        "GET",
        "/__mock__/inbox/{name}",
        "The callbacks the inbox got under a name (with count: once that many arrived)",
        query=("since", "limit", "count", "timeout"),
    ),
    ControlEndpoint(
        "POST",
        "/__mock__/inbox/{name}",
        "A callback receiver: use it as callBackUrl; answers 200 and keeps the body",
        body=_ANY_OBJECT,
    ),
    ControlEndpoint(
        "GET", "/__mock__/scenarios", "Bundled scenario names, the default and the queue"
    ),
    ControlEndpoint(
        "POST",
        "/__mock__/scenario",
        "Set the default scenario or queue one for the next task",
        body={
            "type": "object",
            "properties": {
                "default": {"type": ["string", "null"]},
                "next": {"type": "string"},
            },
        },
    ),
    ControlEndpoint("GET", "/__mock__/clock", "Mock time, whether it is paused, the seed"),
    ControlEndpoint(
        "POST",
        "/__mock__/clock",
        "Advance the clock (seconds) or pause/resume it",
        body={
            "type": "object",
            "properties": {
                "advance": {"type": "number", "minimum": 0},
                "pause": {"type": "boolean"},
            },
        },
    ),
    ControlEndpoint(
        "POST", "/__mock__/reset", "Forget every task, request and delivery; restore credits"
    ),
    ControlEndpoint(
        "POST",
        "/__mock__/restore",
        "Reset, and set a manual clock back to its start and the default scenario to the "
        "configured one (409 on a scaled clock)",
    ),
    ControlEndpoint(
        "POST",
        "/__mock__/wait",
        "Advance a manual clock timer by timer until a task's callback has been attempted or "
        "its status is reached, at most `within` mock seconds; if not, why and the journal "
        "(409 on a scaled clock)",
        body={
            "type": "object",
            "required": ["taskId"],
            "properties": {
                "taskId": {"type": "string", "maxLength": 200},
                "callbackType": {"enum": list(CALLBACK_TYPES)},
                "status": {"enum": list(TASK_STATUSES)},
                "within": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": MAX_WAIT,
                    "default": DEFAULT_WAIT,
                },
            },
            "oneOf": [{"required": ["callbackType"]}, {"required": ["status"]}],
        },
    ),
    ControlEndpoint(
        "GET",
        "/__mock__/journal",
        "Requests received and callbacks attempted, as the waits' failure messages print them",
        query=("taskId",),
        content_type="text/plain",
    ),
    ControlEndpoint(
        "POST",
        "/__mock__/probe",
        "Run the probe battery at a callback URL with this server's settings (real time)",
        body={
            "type": "object",
            "required": ["url"],
            "properties": {
                "url": {"type": "string", "format": "uri"},
                "only": {"type": "array", "items": {"type": "string"}},
                "budget": {"type": "number", "exclusiveMinimum": 0, "maximum": 60},
            },
        },
    ),
)
"""The `/__mock__/` routes as /openapi.json documents them (tag `control plane`)."""


def _control_operation(endpoint: ControlEndpoint) -> dict[str, Any]:
    name = re.sub(r"\W+", "_", endpoint.path.removeprefix("/__mock__/")).strip("_") or "dashboard"
    schema = _ANY_OBJECT if endpoint.content_type == "application/json" else {"type": "string"}
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "description": "The mock's own control plane; not part of the real API.",
        "operationId": f"mock_{name}_{endpoint.method.lower()}",
        "tags": ["control plane"],
        "responses": {
            "200": {
                "description": "OK",
                "content": {endpoint.content_type: {"schema": schema}},
            }
        },
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": endpoint.body}},
        }
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)\}", endpoint.path)
    ]
    parameters += [
        {"name": param, "in": "query", "required": False, "schema": {"type": "string"}}
        for param in endpoint.query
    ]
    if parameters:
        operation["parameters"] = parameters
    return operation


ENVELOPE = {
    "type": "object",
    "required": ["code", "msg", "data"],
    "properties": {
        "code": {"type": "integer", "description": "200 or a business error code"},
        "msg": {"type": "string"},
        "data": {"description": "endpoint specific; null on errors"},
    },
}


ERROR_ENVELOPE = {
    "type": "object",
    "required": ["code", "msg", "data"],
    "properties": {
        "code": {"type": "integer", "not": {"const": 200}, "description": "the business code"},
        "msg": {"type": "string", "description": "what was wrong"},
        "data": {"type": "null"},
    },
}
ERROR_CODES = (400, 401, 402, 404, 405, 413, 429, 430, 455, 500)
"""The business codes an answer can carry (errors.py's catalogue); with mirror_http_status each
is also the HTTP status."""


def _responses(success: dict[str, Any], *, mirror: bool) -> dict[str, Any]:
    error = {"$ref": "#/components/schemas/ErrorEnvelope"}
    if not mirror:
        return {
            "200": {
                "description": "The success envelope, or a business error: errors also arrive "
                "as HTTP 200, with their code in `code` and `data: null`.",
                "content": {"application/json": {"schema": {"oneOf": [success, error]}}},
            }
        }
    responses = {
        "200": {
            "description": "The success envelope.",
            "content": {"application/json": {"schema": success}},
        }
    }
    for code in ERROR_CODES:
        responses[str(code)] = {
            "description": f"Business error {code} (mirror_http_status: the code is also the "
            "HTTP status).",
            "content": {"application/json": {"schema": error}},
        }
    return responses


def _callback_field(endpoint: Endpoint) -> str:
    """The request field that names the callback URL (regenerate spells it `calBackUrl`)."""
    fields = endpoint.request.model_fields if endpoint.request is not None else {}
    return "calBackUrl" if "calBackUrl" in fields else "callBackUrl"


class _Schemas:
    """`components.schemas`, filled in the order operations first refer to a model."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Envelope": ENVELOPE, "ErrorEnvelope": ERROR_ENVELOPE}

    def ref(self, model: type[BaseModel]) -> dict[str, str]:
        schema = _standard_ranges(
            model.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        self.schemas.update(schema.pop("$defs", {}))
        self.schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}


_RANGES = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
"""pydantic's names of a range, as JSON Schema names them. pydantic writes its own names
where a constraint sits behind a Python validator (`Whole`'s `Field(ge=0, le=4)`); a client
generator reads them as unknown keywords and checks no range."""


def _standard_ranges(schema: Any) -> Any:
    """`schema` with every number's range in JSON Schema's keywords (in place)."""
    if isinstance(schema, dict):
        if schema.get("type") in ("integer", "number"):
            for ours, standard in _RANGES.items():
                if ours in schema:
                    schema[standard] = schema.pop(ours)
        for value in schema.values():
            _standard_ranges(value)
    elif isinstance(schema, list):
        for value in schema:
            _standard_ranges(value)
    return schema


def _success_envelope(endpoint: Endpoint, schemas: _Schemas) -> dict[str, Any]:
    success: dict[str, Any] = {"code": {"const": 200}}
    if endpoint.data is not None:
        data = endpoint.data if isinstance(endpoint.data, dict) else schemas.ref(endpoint.data)
        success["data"] = data
    return {"allOf": [{"$ref": "#/components/schemas/Envelope"}, {"properties": success}]}


def _request_body(endpoint: Endpoint, schemas: _Schemas) -> dict[str, Any] | None:
    body = None
    if endpoint.request is not None:
        content: dict[str, Any] = {"schema": schemas.ref(endpoint.request)}
        if endpoint.example is not None:
            content["example"] = endpoint.example
        body = {"required": True, "content": {"application/json": content}}
    if endpoint.form is not None:
        body = {"required": True, "content": {"multipart/form-data": {"schema": endpoint.form}}}
    return body


def _callbacks(callback: type[BaseModel], field: str, schemas: _Schemas) -> dict[str, Any]:
    """The callback the client's `field` URL receives, and what the mock does with its answer."""
    return {
        "callback": {
            f"{{$request.body#/{field}}}": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schemas.ref(callback)}},
                    },
                    "responses": {
                        "200": {
                            "description": "Delivered. Any other answer, a timeout "
                            "(15 s) or a connection error is retried after 1, 5 and "
                            "15 minutes."
                        }
                    },
                }
            }
        }
    }


def _operation(endpoint: Endpoint, schemas: _Schemas, *, mirror: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "operationId": endpoint.handler.__name__ + "_" + endpoint.method.lower(),
        "tags": [endpoint.tag],
        "security": [{"BearerAuth": []}],
        "responses": _responses(_success_envelope(endpoint, schemas), mirror=mirror),
    }
    body = _request_body(endpoint, schemas)
    if body is not None:
        operation["requestBody"] = body
    if endpoint.query:
        operation["parameters"] = [
            {"name": name, "in": "query", "required": True, "schema": {"type": "string"}}
            for name in endpoint.query
        ]
    if endpoint.callback is not None:
        field = _callback_field(endpoint)
        operation["callbacks"] = _callbacks(endpoint.callback, field, schemas)
    return operation


def build_spec(
    endpoints: Sequence[Endpoint],
    server_url: str,
    *,
    mirror_http_status: bool = False,
    upload_http_status: bool = True,
) -> dict[str, Any]:
    """The OpenAPI document; `mirror_http_status` documents errors under their own statuses,
    and `upload_http_status` does so for the File Upload API alone (as its page does)."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        own = upload_http_status and endpoint.path.startswith("/api/file-")
        operation = _operation(endpoint, schemas, mirror=mirror_http_status or own)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    for control in CONTROL_PLANE:
        paths.setdefault(control.path, {})[control.method.lower()] = _control_operation(control)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "suno-mock-server",
            "version": __version__,
            "description": "Offline test double of the Suno music API (sunoapi.org api/v1).",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas.schemas,
            "securitySchemes": {
                "BearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API Key"}
            },
        },
    }
