"""The JSON API: HF's parameters, field names and shapes, read by huggingface_hub's own client."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from huggingface_hub import HfApi
from huggingface_hub.hf_api import PaperInfo
from tests.conftest import SHARED_DATA
from tests.web.conftest import add_papers, web_settings

from paperscope.web.app import create_app

RAW_SAMPLES = SHARED_DATA / "hf_daily_papers" / "raw_api_sample"


def raw_items() -> list[dict[str, Any]]:
    items = []
    for path in sorted(RAW_SAMPLES.glob("*.json.gz")):
        data = json.loads(gzip.decompress(path.read_bytes()))
        items.extend(data["data"] if isinstance(data, dict) else data)
    return items


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def union_shape(values: list[Any]) -> dict[str, set[str]]:
    """Every dotted field path seen in ``values`` with the JSON types it had."""
    seen: dict[str, set[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            seen.setdefault(prefix, set()).add("dict")
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, list):
            seen.setdefault(prefix, set()).add("list")
            for item in value[:3]:
                walk(prefix + "[]", item)
        else:
            seen.setdefault(prefix, set()).add(type(value).__name__)

    for value in values:
        walk("", value)
    return seen


@pytest.fixture(scope="module")
def raw_shape() -> dict[str, set[str]]:
    if not RAW_SAMPLES.exists():
        pytest.skip(f"HF raw API samples not found at {RAW_SAMPLES}")
    return union_shape(raw_items())


def test_daily_papers_use_hf_field_names_and_shapes(demo_client, raw_shape):
    response = demo_client.get("/api/daily_papers", params={"date": "2026-08-21", "limit": 5})
    assert response.status_code == 200
    ours = union_shape(response.json())
    unknown = sorted(path for path in ours if path not in raw_shape)
    assert unknown == []
    mismatched = {
        path: (types, raw_shape[path])
        for path, types in ours.items()
        if not types <= raw_shape[path] | {"NoneType"}
    }
    assert mismatched == {}
    first = response.json()[0]
    assert first["paper"]["id"] == "2608.19880"
    assert first["paper"]["githubRepo"] == "https://github.com/google-research/envharness"
    assert first["publishedAt"] == "2026-08-21T00:00:00.000Z"


# HF keys for data this store does not hold (HF too leaves them out when it has none), and
# ``mediaUrl``, the 2024 name of what is now ``thumbnail``. A key's children go with it.
NOT_STORED = (
    "paper.ai_keywords",
    "paper.ai_summary",
    "paper.ai_summary_model",
    "paper.githubRepoAddedBy",
    "paper.mediaUrls",
    "paper.authors[].status",
    "paper.authors[].statusLastChangedAt",
    "paper.authors[].user",
    "submittedBy.followerCount",
    "mediaUrl",
)


def keys_at_every_level(item: dict[str, Any]) -> dict[str, set[str]]:
    """For each object path of ``item``, the keys every object there has."""
    found: dict[str, set[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            keys = {f"{prefix}.{key}" if prefix else key for key in value}
            found[prefix] = found[prefix] & keys if prefix in found else keys
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list):
            for inner in value:
                walk(prefix + "[]", inner)

    walk("", item)
    return found


def missing_keys(theirs: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """Keys HF's item has (at any level) that ours lacks, but for data we do not store."""
    ours_keys = keys_at_every_level(ours)
    missing = []
    for path, keys in keys_at_every_level(theirs).items():
        for key in keys:
            if any(key == gone or key.startswith(f"{gone}.") for gone in NOT_STORED):
                continue
            if key not in ours_keys.get(path, set()):
                missing.append(key)
    return sorted(missing)


def test_every_key_hf_sends_is_in_our_daily_items_and_papers(demo_client, raw_shape):
    """The same papers on the same days, from every schema year: ours carry HF's keys."""
    for path in sorted(RAW_SAMPLES.glob("*.json.gz")):
        day = path.name[: len("YYYY-MM-DD")]
        data = json.loads(gzip.decompress(path.read_bytes()))
        listed = data["data"] if isinstance(data, dict) else data
        theirs = {item["paper"]["id"]: item for item in listed}
        response = demo_client.get("/api/daily_papers", params={"date": day, "limit": 100})
        ours = {item["paper"]["id"]: item for item in response.json()}
        assert set(theirs) <= set(ours), day
        for paper_id, item in theirs.items():
            assert missing_keys(item, ours[paper_id]) == [], (day, paper_id)
            flat = demo_client.get(f"/api/papers/{paper_id}").json()
            assert missing_keys({"paper": item["paper"]}, {"paper": flat}) == [], paper_id
        thumbnails = {
            paper_id: item.get("thumbnail") or item.get("mediaUrl")
            for paper_id, item in theirs.items()
        }
        assert {paper_id: ours[paper_id]["thumbnail"] for paper_id in theirs} == thumbnails


def test_nested_papers_carry_hf_paper_keys_only(demo_client, raw_shape):
    paper_keys = {path.split(".", 1)[1] for path in raw_shape if path.startswith("paper.")}
    paper_keys = {key.split(".")[0].removesuffix("[]") for key in paper_keys}
    for url, params in (
        ("/api/papers/search", {"q": "agents", "limit": 5}),
        ("/api/trending", {"limit": 5}),
        ("/api/papers/2608.19880/similar", {"limit": 5}),
    ):
        for item in demo_client.get(url, params=params).json():
            assert set(item["paper"]) <= paper_keys, (url, set(item["paper"]) - paper_keys)
    detail = demo_client.get("/api/papers/2608.19880").json()
    extras = set(detail) - paper_keys
    assert extras == {"numComments", "linkedModels", "linkedDatasets", "linkedSpaces"}


def test_daily_papers_page_with_hf_parameters_and_a_link_header(demo_client):
    first = demo_client.get("/api/daily_papers", params={"week": "2026-W34", "limit": 10})
    assert first.status_code == 200 and len(first.json()) == 10
    upvotes = [item["paper"]["upvotes"] for item in first.json()]
    assert upvotes == sorted(upvotes, reverse=True)
    link = first.headers["link"]
    assert link.endswith('>; rel="next"') and "p=1" in link and "week=2026-W34" in link
    url = link[1 : link.index(">")]
    second = demo_client.get(url)
    assert second.status_code == 200
    assert not {i["paper"]["id"] for i in first.json()} & {i["paper"]["id"] for i in second.json()}
    newest = demo_client.get("/api/daily_papers", params={"sort": "publishedAt", "limit": 3})
    assert newest.json()[0]["publishedAt"].startswith("2026-08-21")
    month = demo_client.get("/api/daily_papers", params={"month": "2024-06", "limit": 100}).json()
    assert all(item["publishedAt"].startswith("2024-06") for item in month)
    trending = demo_client.get("/api/daily_papers", params={"sort": "trending", "limit": 3})
    assert trending.status_code == 200 and len(trending.json()) == 3


def test_daily_papers_filter_by_submitter_in_every_sort(demo_client):
    for sort in (None, "publishedAt", "trending"):
        params = {"submitter": "nobody", "sort": sort} if sort else {"submitter": "nobody"}
        assert demo_client.get("/api/daily_papers", params=params).json() == []
        params = {"submitter": "taesiri", "date": "2026-08-21", "limit": 100}
        if sort:
            params["sort"] = sort
        items = demo_client.get("/api/daily_papers", params=params).json()
        assert items and {item["paper"]["submittedOnDailyBy"]["user"] for item in items} == {
            "taesiri"
        }


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"p": -1},
        {"date": "2024-13-01"},
        {"week": "2024-W60"},
        {"month": "2024-5"},
        {"sort": "random"},
        {"date": "2024-05-27", "month": "2024-05"},
    ],
)
def test_bad_api_parameters_get_a_clear_4xx(demo_client, params):
    response = demo_client.get("/api/daily_papers", params=params)
    assert response.status_code in (400, 422)
    assert response.json()["error"]


def test_paper_and_search_limits(demo_client):
    assert demo_client.get("/api/papers/0000.00000").status_code == 404
    assert demo_client.get("/api/papers/search", params={"q": "x" * 251}).status_code == 422
    too_many = demo_client.get("/api/papers/search", params={"q": "agents", "limit": 121})
    assert too_many.status_code == 422
    many = demo_client.get("/api/papers/search", params={"q": "language model", "limit": 120})
    assert many.status_code == 200 and len(many.json()) == 120
    assert set(many.json()[0]) >= {"paper", "numComments"}


def test_search_api_answers_a_pasted_arxiv_id_with_that_paper_once(demo_client):
    for query in ("2608.19880", "https://arxiv.org/abs/2608.19880v1"):
        found = demo_client.get("/api/papers/search", params={"q": query, "limit": 3}).json()
        assert [item["paper"]["id"] for item in found] == ["2608.19880"]
    many = demo_client.get("/api/papers/search", params={"q": "language model", "limit": 120})
    ids = [item["paper"]["id"] for item in many.json()]
    assert len(ids) == len(set(ids)) == 120


def test_trending_api_returns_each_score_with_its_parts(demo_client):
    items = demo_client.get("/api/trending", params={"limit": 5}).json()
    assert len(items) == 5
    scores = [item["trending"]["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    parts = items[0]["trending"]
    assert set(parts) == {
        "score",
        "points",
        "imported_upvotes",
        "local_votes",
        "star_growth",
        "age_hours",
    }
    assert parts["points"] == pytest.approx(
        parts["imported_upvotes"] + parts["local_votes"] + 0.1 * parts["star_growth"]
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_url(demo_dir: Path) -> Iterator[str]:
    """The demo site served by uvicorn on a loopback port, for clients that speak real HTTP."""
    app = create_app(web_settings(demo_dir, f"sqlite:///{demo_dir / 'paperscope.db'}"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_huggingface_hub_client_reads_our_api(live_url, demo_client):
    api = HfApi(endpoint=live_url)
    paper = api.paper_info("2608.19880")
    assert paper.title == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert paper.authors and paper.authors[0] == "Chengsong Huang"
    assert paper.upvotes == 163
    assert paper.published_at is not None and paper.published_at.year == 2026
    found = list(api.list_papers(query="agent environments"))
    assert found and all(isinstance(item, PaperInfo) and item.id for item in found)
    daily = demo_client.get("/api/daily_papers", params={"date": "2026-08-21"}).json()
    parsed = [PaperInfo(**item) for item in daily]
    assert parsed[0].id == "2608.19880"
    assert parsed[0].submitted_by is not None and parsed[0].submitted_by.fullname == "taesiri"
    assert parsed[0].comments == daily[0]["numComments"]


def test_openapi_documents_the_api(demo_client):
    schema = demo_client.get("/openapi.json").json()
    assert {"/api/daily_papers", "/api/papers/search", "/api/trending"} <= set(schema["paths"])
    docs = demo_client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_similar_papers_answer_for_known_papers_only(client):
    add_papers(client, [{"title": "Graph networks", "day": "2024-05-27"}])
    assert client.get("/api/papers/2405.99999/similar").status_code == 404
    assert client.get("/api/papers/2405.10001/similar").status_code == 200


def test_similar_papers_on_the_paper_page_and_in_the_api(client):
    from tests.search.conftest import HashingEmbedder, embed_all

    from paperscope.search import SearchService

    add_papers(
        client,
        [
            {
                "title": "Graph neural networks for molecules",
                "abstract": "Graph networks on molecules.",
            },
            {
                "title": "Message passing graph networks",
                "abstract": "Graph networks pass messages.",
            },
            {"title": "Sourdough bread baking", "abstract": "Flour, water, salt and patience."},
        ],
    )
    app = client.app
    embedder = HashingEmbedder()
    embed_all(app.state.store, embedder)
    app.state.search = SearchService(app.state.settings, app.state.store, embedder=embedder)
    similar = client.get("/api/papers/2405.10001/similar", params={"limit": 2}).json()
    assert similar[0]["paper"]["id"] == "2405.10002"
    assert all(item["paper"]["id"] != "2405.10001" for item in similar)
    page = client.get("/papers/2405.10001")
    assert "Similar papers" in page.text and "Message passing graph networks" in page.text
