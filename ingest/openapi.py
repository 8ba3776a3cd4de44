"""The OpenAPI 3.1 description of /api/v1, generated from the routes and their pydantic models (spectree).

A route declares its models once, with `operation(...)` under its `@blueprint.get/post`: the request's
query, JSON body, form or headers, the answer per status, the roles that may call it and the 4xx it can
answer. spectree validates the request against those models before the view runs and generates the
document from the same declarations; `openapi_document()` serves it at /api/v1/openapi.json.

A request that breaks its model answers the API's error shape `{"error": {"code", "message"}}` with 422 (or
the model's own codes), never a 500; an anonymous caller or a role that may not call the route learns that
first (401, 403), as it would with a valid request. Answers are described, not checked at run time (a
mismatch would turn a good answer into a 500): the schemathesis test in tests/integration checks them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from flask import current_app
from pydantic import BaseModel, ValidationError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.model_adapter.pydantic_adapter import PydanticModelAdapter
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.response import DEFAULT_CODE_DESC

from claims.db.engine import transaction
from claims.errors import InvalidInputError, PermissionDeniedError
from claims.roles import Role
from ingest.http import bearer_user, runtime


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every 4xx of the API: a reason code and a message (some codes add details, e.g. `problems`)."""

    error: ErrorDetail


class ApiModel(BaseModel):
    """A request model of the API. `error_codes` names the reason code answered when a field's value breaks
    its rule (an unknown action, say); a body of the wrong shape answers `bad_<where>` (bad_json, bad_query,
    bad_form, bad_headers)."""

    error_codes: ClassVar[dict[str, str]] = {}


#: What each 4xx means, as the document says it.
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "NUL bytes, control characters or lone surrogates in the URL, query, headers or body, refused before the "
         "route (invalid_characters; review_ui/input_guard.py), or a request that is not what it claims to be",
    401: "Missing or bad API token (missing_token, bad_token)",
    403: "Not allowed for this role",
    404: "Not found or not yours",
    409: "Conflict with the claim's state or the Idempotency-Key",
    413: "Too large: a file (file_too_large) or the whole request (request_entity_too_large)",
    415: "Not a supported file type (unsupported_type)",
    422: "Breaks a rule or the request's schema (the reason code says which)",
    429: "Too many attempts (too_many_uploads, too_many_attempts); see Retry-After",
}
#: Errors of the shape of a request, not of a value: the whole body or query is wrong.
_SHAPE_ERRORS = {"missing", "json_invalid"}


class _Adapter(PydanticModelAdapter):
    """Validation errors without the values sent (an uploaded file is no JSON, and values are not echoed)."""

    def validation_errors(self, err: ValidationError) -> Any:
        return err.errors(include_url=False, include_input=False, include_context=False)


class _Plugin(FlaskPlugin):
    """spectree's Flask plugin, with answers described but not re-validated at run time."""

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        return super().validate_response(resp, None, skip_validation, force_resp_serialize)


#: The one SpecTree of /api/v1: every API module decorates its routes with `operation` (which uses it). A
#: model's schema is named after its class, so model names are unique across the API's modules.
api = SpecTree(
    "flask", backend=_Plugin, model_adapter=_Adapter(), mode="strict", annotations=False,
    title="paragon API", version="1",
    description="Participants submit purchase claims; partners review them. Authenticate with "
                "`Authorization: Bearer <token>` (`paragon token EMAIL`).",
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer"))],
    security={"bearer": []}, validation_error_status=422, validation_error_model=ErrorBody,
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda _parent, child: child,
)


def operation(
    *,
    roles: Iterable[Role] | None,
    answers: dict[int, type[BaseModel] | tuple[type[BaseModel] | None, str] | None],
    errors: Sequence[int] = (),
    query: type[ApiModel] | None = None,
    json: type[ApiModel] | None = None,
    form: type[ApiModel] | None = None,
    headers: type[ApiModel] | None = None,
    tags: Sequence[str] = (),
) -> Callable:
    """Declare a route for validation and the document (put it under `@blueprint.get/post(...)`).

    Args:
        roles: who may call it (the document's `security`); None for a public route, empty for any role.
        answers: status -> model (or (model, description), or None for a body that is not JSON).
        errors: the 4xx the route can answer; 400 is added to every route (the input guard runs before any),
            401 for a route with roles, 422 for one with a model.
    """
    codes = set(errors) | {400} | ({401} if roles is not None else set()) | (
        {422} if any(m is not None for m in (query, json, form, headers)) else set())
    described = {f"HTTP_{status}": answer for status, answer in answers.items()}
    described |= {f"HTTP_{code}": (ErrorBody, ERROR_DESCRIPTIONS[code]) for code in sorted(codes)}
    allowed = None if roles is None else frozenset(roles)
    security = {} if allowed is None else {"bearer": sorted(str(role) for role in allowed)}

    def declare(view: Callable) -> Callable:
        return api.validate(query=query, json=json, form=form, headers=headers, resp=Response(**described),
                            security=security, tags=tags, operation_id=view.__name__,
                            before=_before(allowed, (query, json, form, headers)))(view)

    return declare


def _before(allowed: frozenset[Role] | None, models: tuple) -> Callable:
    wheres = {model.__name__: (where, model) for where, model in zip(("query", "json", "form", "headers"), models,
                                                                      strict=True) if model is not None}

    def check(req, resp, error: ValidationError | None, instance, model_adapter) -> None:
        if error is None:
            return
        if allowed is not None:  # who is asking comes first: 401 and 403 as for a valid request
            _check_caller(allowed)
        where, model = wheres.get(error.title, ("request", None))
        raise InvalidInputError(_message(error), code=_code(error, where, model))

    return check


def _check_caller(allowed: frozenset[Role]) -> None:
    with transaction(runtime().sessions) as session:
        role = Role(bearer_user(session).role)
    if allowed and role not in allowed:
        code = "not_participant" if allowed == {Role.PARTICIPANT} else "forbidden"
        raise PermissionDeniedError(f"not for the {role} role", code=code)


def _code(error: ValidationError, where: str, model: type[ApiModel] | None) -> str:
    first = error.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    codes = getattr(model, "error_codes", {})
    kind = first["type"]
    shape = kind in _SHAPE_ERRORS or kind.endswith("_type") or (
        kind in {"literal_error", "enum"} and not isinstance(first.get("input"), str))
    if not shape and field in codes:
        return codes[field]
    return f"bad_{where}"


def _message(error: ValidationError) -> str:
    """The first problems, with where they are; the offending values are not echoed back."""
    parts = []
    for item in error.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(part) for part in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def openapi_document() -> dict[str, Any]:
    """The whole document of the current app, generated from the routes declared with `operation` (once per
    app: spectree's own `spec` is cached once per process, whatever the app)."""
    document = current_app.extensions.get("paragon.openapi")
    if document is None:
        models = copy.deepcopy(api.models)  # generating moves the nested models out of them: keep them whole
        try:
            document = copy.deepcopy(api._generate_spec())  # the uncached form of `api.spec`
        finally:
            api.models = models
        _finish(document)
        current_app.extensions["paragon.openapi"] = document
    return document


def _finish(document: dict[str, Any]) -> None:
    """What spectree cannot say from the models alone: the accepted types of file parts (`x-accept` on a
    binary property becomes the part's `encoding.contentType`), and non-JSON answers (`x-content-type`)."""
    if not document.get("tags"):
        document.pop("tags", None)
    schemas = document["components"]["schemas"]
    for operations in document["paths"].values():
        for op in operations.values():
            if not op.get("tags"):
                op.pop("tags", None)
            form = op.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if form is not None:
                properties = _resolve(form["schema"], schemas).get("properties", {})
                encoding = {name: {"contentType": ", ".join(accept)} for name, prop in properties.items()
                            if (accept := prop.get("x-accept") or prop.get("items", {}).get("x-accept"))}
                if encoding:
                    form["encoding"] = encoding
            if op["responses"].get("422", {}).get("description") == DEFAULT_CODE_DESC["HTTP_422"]:
                del op["responses"]["422"]  # spectree's own, on a route that validates nothing
            for answer in op["responses"].values():
                _non_json_answer(answer, schemas)
    _drop_null_defaults(document)


def _drop_null_defaults(node: Any) -> None:
    """An optional field left out is absent, not null: its `"default": null` would contradict its type."""
    if isinstance(node, dict):
        if "default" in node and node["default"] is None:
            del node["default"]
        for value in node.values():
            _drop_null_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_null_defaults(value)


def _non_json_answer(answer: dict, schemas: dict) -> None:
    json_body = answer.get("content", {}).get("application/json")
    if json_body is None:
        return
    media = _resolve(json_body["schema"], schemas).get("x-content-type")
    if media:
        answer["content"] = {media: {"schema": {"type": "string", "contentMediaType": media}}}


def _resolve(schema: dict, schemas: dict) -> dict:
    ref = schema.get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
