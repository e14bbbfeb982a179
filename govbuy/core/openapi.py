"""The OpenAPI document of /api/v1, completed centrally rather than route by route:

- every operation declares the error responses it can give (401 when it needs
  authentication, 413 when it takes a body, and 403, 404, 409, 422, 429, 500),
  each with the one error body (``core.api_types.Error``);
- money-moving operations (``core.idempotency.idempotent``) declare the
  optional ``Idempotency-Key`` header.

A route that declares an error status itself keeps its own declaration.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema

from . import idempotency
from .api_types import ERROR_DESCRIPTIONS, Error, error_schema_ref

BODY_SOURCES = ("body", "form", "file")
ALWAYS = (403, 404, 409, 422, 429, 500)


def takes_body(operation) -> bool:
    return any(m.__ninja_param_source__ in BODY_SOURCES for m in operation.models)


def error_statuses(operation) -> list[int]:
    statuses = set(ALWAYS)
    if operation.auth_callbacks:
        statuses.add(401)
    if takes_body(operation):
        statuses.add(413)
    return sorted(statuses)


class DocumentedSchema(OpenAPISchema):
    def responses(self, operation) -> dict[int, Any]:
        result = super().responses(operation)
        self._add_error_schema()
        for status in error_statuses(operation):
            result.setdefault(
                status,
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {self.api.renderer.media_type: {"schema": error_schema_ref()}},
                },
            )
        if idempotency.is_idempotent(operation.view_func):
            for status, response in result.items():
                if int(status) < 500:
                    response.setdefault("headers", {}).update(idempotency.openapi_replay_header())
        return dict(sorted(result.items(), key=lambda item: str(item[0])))

    def operation_parameters(self, operation) -> list[dict[str, Any]]:
        parameters = super().operation_parameters(operation)
        if idempotency.is_idempotent(operation.view_func):
            parameters.append(idempotency.openapi_parameter())
        return parameters

    def _add_error_schema(self) -> None:
        if "Error" in self.schemas:
            return
        schema = Error.model_json_schema(ref_template=REF_TEMPLATE, mode="serialization")
        self.add_schema_definitions(schema.pop("$defs", {}))
        self.add_schema_definitions({"Error": schema})


class API(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares every error response."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(api=self, path_prefix=path_prefix)
