"""The catalog's JSON API over real HTTP against `tfhub serve` with a hand-written docs tree."""

from __future__ import annotations

import requests

from tests.server.serving import ServeProcess


def _get(server: ServeProcess, path: str, **params: object) -> requests.Response:
    return requests.get(server.url + path, params=params, timeout=60)


def test_search_finds_documented_and_undocumented_models(catalog_server):
    answer = _get(catalog_server, "api/models", q="scaler").json()
    handles = [m["handle"] for m in answer["models"]]
    assert "acme/scaler" in handles and answer["total"] == len(handles)
    scaler = next(m for m in answer["models"] if m["handle"] == "acme/scaler")
    assert scaler["hosted"] and scaler["documented"] and scaler["latest_version"] == "2"
    assert scaler["url"] == catalog_server.url + "acme/scaler/2" and scaler["format"] == "saved_model_2"
    everything = _get(catalog_server, "api/models").json()
    assert [m["handle"] for m in everything["hosted_without_document"]] == ["acme/undocumented"]
    documented = {m["handle"] for m in everything["models"]}
    assert {"acme/scaler", "acme/halver", "zeta-lab/paper-only", "zeta-lab/hostile"} <= documented


def test_a_filter_narrows_the_results_and_the_facets_count_them(catalog_server):
    everything = _get(catalog_server, "api/models").json()
    tasks = {c["value"]: c for c in everything["facets"]["task"]}
    assert tasks["image-classification"]["display_name"] == "Image classification"
    filtered = _get(catalog_server, "api/models", task="image-classification").json()
    handles = {m["handle"] for m in filtered["models"]}
    assert handles == {"acme/halver", "zeta-lab/paper-only"}
    assert filtered["total"] == tasks["image-classification"]["count"] == 2
    assert filtered["hosted_without_document"] == []  # facets say nothing of undocumented models
    both = _get(catalog_server, "api/models", task="image-classification", license="mit", format="hub").json()
    assert [m["handle"] for m in both["models"]] == ["acme/halver"]


def test_paging_is_by_offset_and_limit(catalog_server):
    first = _get(catalog_server, "api/models", limit=2).json()
    second = _get(catalog_server, "api/models", limit=2, offset=2).json()
    assert len(first["models"]) == 2 and first["total"] >= 4
    assert not {m["handle"] for m in first["models"]} & {m["handle"] for m in second["models"]}


def test_model_detail_has_versions_hosting_metadata_and_signatures(catalog_server):
    detail = _get(catalog_server, "api/models/acme/scaler").json()
    versions = {v["version"]: v for v in detail["versions"]}
    assert set(versions) == {"1", "2"}
    assert versions["2"]["latest"] and not versions["1"]["latest"]
    assert versions["2"]["hosted"] and not versions["1"]["hosted"] and versions["1"]["url"] is None
    assert versions["2"]["metadata"]["task"] == ["text-embedding"]
    assert versions["2"]["files_format"] == "TF2 SavedModel"
    signatures = versions["2"]["graph_variants"][0]["signatures"]
    assert "serving_default" in signatures
    assert "graph_variants" not in versions["1"]  # not hosted: nothing read from files
    assert detail["variants"], detail  # the TF.js variant


def test_documented_only_and_undocumented_models_have_details(catalog_server):
    paper = _get(catalog_server, "api/models/zeta-lab/paper-only").json()
    assert not paper["hosted"] and paper["versions"][0]["hosted"] is False
    bare = _get(catalog_server, "api/models/acme/undocumented").json()
    assert not bare["documented"] and bare["hosted"]
    assert bare["versions"][0]["graph_variants"][0]["signatures"]


def test_api_errors_are_json_and_name_the_fix(catalog_server):
    missing = _get(catalog_server, "api/models/acme/nothing")
    assert missing.status_code == 404 and "/api/models" in missing.json()["error"]
    unknown = _get(catalog_server, "api/models", colour="red")
    assert unknown.status_code == 400 and "'colour'" in unknown.json()["error"] and "task" in unknown.json()["error"]
    bad_limit = _get(catalog_server, "api/models", limit="many")
    assert bad_limit.status_code == 400 and "limit" in bad_limit.json()["error"]
    elsewhere = _get(catalog_server, "api/nothing")
    assert elsewhere.status_code == 404 and elsewhere.headers["Content-Type"].startswith("application/json")


def test_models_still_download_as_archives(catalog_server):
    archive = _get(catalog_server, "acme/scaler/2", **{"tf-hub-format": "compressed"})
    assert archive.status_code == 200 and archive.content[:2] == b"\x1f\x8b"
    absent = _get(catalog_server, "acme/scaler/1", **{"tf-hub-format": "compressed"})
    assert absent.status_code == 404  # documented, but not hosted
