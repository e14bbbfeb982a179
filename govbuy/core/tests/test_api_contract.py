"""The /api/v1 contract over the real HTTP stack: the OpenAPI document tells the
truth (one schema per name, every error response declared with the one error
body, every integer bounded), bad input answers a field-level 422 and never a
500, anonymous writes answer 401, and a server error in production is JSON."""

import json

import pytest
from django.test import Client

from govbuy.api import api

API = "/api/v1"
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def doc():
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


# --- the document ------------------------------------------------------------------------------


def _models_of(operation):
    for model in operation.models:
        if model.__ninja_param_source__ in ("body", "form", "file"):
            yield model, "validation"
    for model in operation.response_models.values():
        if model not in (None, Ellipsis) and hasattr(model, "model_json_schema"):
            yield model, "serialization"


def test_no_two_different_schemas_share_a_name():
    """The bodies and responses of all operations, each generated alone, never
    give one name two definitions: the document keeps only one of them, so the
    other operations would be documented with a stranger's schema."""
    from ninja.openapi.schema import REF_TEMPLATE

    seen: dict[str, tuple[str, dict]] = {}
    clashes = []
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model, mode in _models_of(operation):
                    schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode=mode)
                    for name, definition in schema.get("$defs", {}).items():
                        where = f"{operation.view_func.__module__}.{operation.view_func.__name__}"
                        if name in seen and seen[name][1] != definition:
                            clashes.append((name, seen[name][0], where))
                        seen.setdefault(name, (where, definition))
    assert clashes == []


def test_every_operation_declares_its_error_responses_with_the_one_body(doc):
    body = doc["components"]["schemas"]["Error"]
    assert {"code"} <= set(body["required"])
    assert {"code", "message", "errors", "violations"} <= set(body["properties"])
    missing = []
    for path, method, op in operations(doc):
        wanted = {"403", "404", "409", "422", "429", "500"}
        if op.get("security"):
            wanted.add("401")
        if "requestBody" in op:
            wanted.add("413")
        for status in sorted(wanted):
            response = op["responses"].get(status)
            ref = (response or {}).get("content", {}).get("application/json", {}).get("schema")
            if ref != {"$ref": ERROR_REF}:
                missing.append((method, path, status))
    assert missing == []


def _integers(doc, schema, where, found):
    schema = resolve(doc, schema)
    if schema.get("type") == "integer":
        found.append((where, schema.get("minimum"), schema.get("maximum")))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            _integers(doc, sub, where, found)
    for name, sub in schema.get("properties", {}).items():
        _integers(doc, sub, f"{where}.{name}", found)
    if isinstance(schema.get("items"), dict):
        _integers(doc, schema["items"], f"{where}[]", found)
    if isinstance(schema.get("additionalProperties"), dict):
        _integers(doc, schema["additionalProperties"], f"{where}{{}}", found)
    if "propertyNames" in schema:
        _integers(doc, schema["propertyNames"], f"{where}{{key}}", found)


def test_every_integer_a_client_sends_is_bounded(doc):
    """Ids, pages and counts have a minimum and a maximum that fit the database."""
    found = []
    for path, method, op in operations(doc):
        for p in op.get("parameters", []):
            _integers(doc, p["schema"], f"{method} {path} {p['name']}", found)
        for content in op.get("requestBody", {}).get("content", {}).values():
            _integers(doc, content["schema"], f"{method} {path} body", found)
    assert found
    unbounded = [
        w for w, lo, hi in found if lo is None or hi is None or lo < -(2**63) or hi > 2**63 - 1
    ]
    assert unbounded == []


def test_money_moving_operations_declare_the_idempotency_key_header(doc):
    from govbuy.core.idempotency import HEADER, REPLAYED_HEADER

    wanted = {
        ("post", "/api/v1/projects"),
        ("patch", "/api/v1/projects/{pk}"),
        ("post", "/api/v1/budget-adjustments/{pk}/approve"),
        ("post", "/api/v1/rounds/{pk}/call-offs"),
        ("post", "/api/v1/rounds/{pk}/bids"),
        ("post", "/api/v1/rounds/{pk}/award"),
    }
    declared = {
        (method, path)
        for path, method, op in operations(doc)
        for p in op.get("parameters", [])
        if p["in"] == "header" and p["name"] == HEADER
    }
    assert wanted <= declared
    assert ("get", "/api/v1/projects") not in declared
    replayed = doc["paths"]["/api/v1/projects"]["post"]["responses"]["201"]["headers"]
    assert set(replayed) == {REPLAYED_HEADER}


# --- anonymous writes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_write_is_401_not_a_csrf_failure():
    client = Client(enforce_csrf_checks=True)
    r = client.post(f"{API}/projects", data="{}", content_type="application/json")
    assert r.status_code == 401, r.content
    assert r.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_logged_in_browser_still_needs_the_csrf_token(make_user, make_org):
    user = make_user("purchaser", make_org("郑州市民政局（契约）", "410100", is_purchaser=True))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    r = client.post(f"{API}/projects", data="{}", content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    client.get("/")  # the page sets the CSRF cookie, as a browser's would
    token = client.cookies["csrftoken"].value
    r = client.post(
        f"{API}/projects", data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert r.status_code == 422  # past authentication: the body is checked


# --- bad input is a 422, never a 500 -------------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/catalogs?page={HUGE}",
        f"/catalogs?page=1&page_size={HUGE}",
        f"/notices?page={HUGE}",
        f"/opportunities?page={HUGE}",
        f"/catalogs/{HUGE}/items",
        f"/rounds/{HUGE}/public",
        f"/notices/{HUGE}",
    ],
)
def test_huge_numbers_in_public_urls_are_422(client, path):
    r = client.get(f"{API}{path}")
    assert r.status_code == 422, (path, r.status_code)
    assert r.json()["code"] == "invalid_input"


@pytest.fixture
def purchaser_client(client, buying):
    client.force_login(buying.purchaser)
    return client


@pytest.mark.parametrize(
    "path",
    [
        f"/bids/{HUGE}",
        f"/projects/{HUGE}",
        f"/projects?department={HUGE}",
        f"/budget-lines?page={HUGE}",
        f"/organizations?page={HUGE}",
        f"/credit-records?organization_id={HUGE}",
        f"/rounds?project={HUGE}",
        "/budget-lines/export?year=0",
        "/budget-lines/export?year=99999999999",
        "/projects?year=-5",
    ],
)
def test_huge_ids_and_years_out_of_range_are_422(purchaser_client, path):
    r = purchaser_client.get(f"{API}{path}")
    assert r.status_code == 422, (path, r.status_code, r.content[:300])
    assert r.json()["code"] == "invalid_input"


def test_the_budget_page_export_refuses_a_year_out_of_range(purchaser_client):
    for year in ("0", "-58", "99999999999"):
        r = purchaser_client.get(f"/budgets/export.xlsx?year={year}")
        assert r.status_code == 400, (year, r.status_code)


def test_huge_integers_in_bodies_are_422(purchaser_client, buying):
    line = buying.line()
    r = purchaser_client.post(
        f"{API}/projects",
        data=json.dumps({"budget_line": int(HUGE), "name": "x", "amount": "1.00"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "budget_line"
    r = purchaser_client.post(
        f"{API}/rounds/1/panel",
        data=json.dumps({"members": [int(HUGE)], "chair": -int(HUGE)}),
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert {e["field"] for e in r.json()["errors"]} == {"members.0", "chair"}
    line.refresh_from_db()
    assert line.committed == 0


def test_copying_a_catalog_to_an_impossible_year_is_422(client, buying):
    from govbuy.catalog.models import Catalog

    catalog = Catalog.objects.get(year=buying.year, region__code="410000")
    client.force_login(buying.finance_hn)
    before = Catalog.objects.count()
    for year in (-1811003593071595, 0, 1999, 2101):
        r = client.post(
            f"{API}/catalog/catalogs/{catalog.pk}/copy",
            data=json.dumps({"year": year}),
            content_type="application/json",
        )
        assert r.status_code == 422, (year, r.content)
        assert r.json()["errors"][0]["field"] == "year"
    assert Catalog.objects.count() == before


@pytest.mark.parametrize(
    "path", ["/budget-lines/import", "/catalog/catalogs/1/import", "/rounds/1/bids"]
)
def test_multipart_without_a_boundary_is_422(purchaser_client, path):
    r = purchaser_client.post(
        f"{API}{path}", data=b"--x\r\n\r\n", content_type="multipart/form-data"
    )
    assert r.status_code == 422, (path, r.status_code)
    assert r.json()["code"] == "invalid_input"


def test_multipart_without_a_boundary_on_the_department_catalog_import_is_422(client, buying):
    client.force_login(buying.purchaser)
    r = client.post(
        f"{API}/catalog/department-catalogs/{buying.department_catalog.pk}/import",
        data=b"--x\r\n\r\n",
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


# --- a server error in production is the one JSON error body ----------------------------------


def test_a_server_error_under_api_answers_json_in_production(settings):
    from django.urls import get_resolver

    from govbuy import urls

    settings.DEBUG = False
    assert urls.handler500 == "govbuy.core.error_views.server_error"
    view = get_resolver().resolve_error_handler(500)
    from django.test import RequestFactory

    r = view(RequestFactory().get(f"{API}/projects"))
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    assert json.loads(r.content)["code"] == "server_error"
    page = view(RequestFactory().get("/budgets/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_unknown_api_path_is_the_json_404(client):
    r = client.get(f"{API}/no-such-thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.parametrize(
    "method, path, body, field",
    [
        ("get", "/notices?q=%C3%B7%00&kind=result", None, "q"),
        ("get", "/projects?q=a%00b", None, "q"),
        ("post", "/projects", {"budget_line": 1, "name": "a\x00b", "amount": "1"}, "name"),
        ("post", "/rules/screen", {"title": "养老\x00", "description": ["x"]}, "title"),
    ],
)
def test_the_nul_character_is_a_field_error_not_a_database_error(
    purchaser_client, method, path, body, field
):
    kwargs = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    r = getattr(purchaser_client, method)(f"{API}{path}", **kwargs)
    assert r.status_code == 422, (path, r.status_code, r.content[:200])
    assert field in {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize("path", ["/regions/41%000", "/catalogs/1/items/A05%00"])
def test_a_nul_character_in_a_path_code_is_422(purchaser_client, path):
    r = purchaser_client.get(f"{API}{path}")
    assert r.status_code == 422, (path, r.status_code)


def test_a_body_that_is_not_json_is_422(purchaser_client):
    r = purchaser_client.post(f"{API}/projects", data="{oops", content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
