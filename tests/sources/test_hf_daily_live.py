"""HF daily papers: the real raw API samples, the live client against a local server, the CLI."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

from payload_server import PayloadServer, Reply

from paperscope.config import Settings
from paperscope.models import PaperRecord, Rejected
from paperscope.sources.hf_daily import HFDailyApi, HFDailyRawFile
from paperscope.sources.http import PoliteFetcher
from support import SHARED_DATA, run_cli

pytest_plugins = ["net_fixtures"]  # the server, net_settings and net_env fixtures

RAW = SHARED_DATA / "hf_daily_papers" / "raw_api_sample"
DAYS = {"2024-05-27": 13, "2025-06-16": 9, "2026-08-21": 17}


def raw_items(day: str) -> list[dict]:
    return json.loads(gzip.decompress((RAW / f"{day}.json.gz").read_bytes()))


def wrapped(day: str, items: list[dict]) -> bytes:
    """The ``{"status","date","count","data"}`` form one archived day (2025-01-10) has."""
    return json.dumps({"status": "ok", "date": day, "count": len(items), "data": items}).encode()


def records_of(source) -> list[PaperRecord]:
    found = list(source.records())
    assert [r for r in found if isinstance(r, Rejected)] == []
    return found


def test_every_raw_schema_year_parses_with_its_fields(tmp_path: Path):
    by_day = {day: records_of(HFDailyRawFile(RAW / f"{day}.json.gz")) for day in DAYS}
    assert {day: len(found) for day, found in by_day.items()} == DAYS

    first = by_day["2024-05-27"][0]  # 2024: no submitter, mediaUrl as thumbnail
    assert (first.arxiv_id, first.title[:9], first.listing.listing_date) == (
        "2405.15738",
        "ConvLLaVA",
        date(2024, 5, 27),
    )
    assert first.authors[:2] == ["Chunjiang Ge", "Sijie Cheng"]
    assert (first.listing.upvotes, first.listing.num_comments) == (32, 3)
    assert first.listing.thumbnail.startswith("https://cdn-thumbnails.huggingface.co/")

    moai = by_day["2025-06-16"][0]  # 2025: submitter, GitHub repo, project page
    assert moai.listing.submitted_by == "bracio9623"
    assert moai.code_urls == ["https://github.com/cvlab-kaist/MoAI"]
    assert moai.project_page == "https://cvlab-kaist.github.io/MoAI/"

    env = by_day["2026-08-21"][0]  # 2026: stars and organization
    assert (env.github_stars, env.listing.organization) == (8, "Google")
    assert [r.listing.position for r in by_day["2026-08-21"]] == list(range(17))

    items = raw_items("2025-06-16")
    path = tmp_path / "2025-01-10.json"  # the wrapped form, day from the wrapper
    path.write_bytes(wrapped("2025-06-16", items))
    unwrapped = records_of(HFDailyRawFile(path))
    assert [r.arxiv_id for r in unwrapped] == [r.arxiv_id for r in by_day["2025-06-16"]]
    assert {r.listing.listing_date for r in unwrapped} == {date(2025, 6, 16)}


def test_items_stored_as_python_repr_text_and_damaged_items(tmp_path: Path):
    items = raw_items("2024-05-27")[:3]
    path = tmp_path / "2024-12-11.json"
    path.write_text(json.dumps([repr(items[0]), items[1], {"paper": "nope"}]))
    found = list(HFDailyRawFile(path).records())
    assert [r.arxiv_id for r in found if isinstance(r, PaperRecord)] == [
        "2405.15738",
        items[1]["paper"]["id"],
    ]
    assert [r.origin for r in found if isinstance(r, Rejected)] == ["2024-12-11.json#2"]


def serve_days(server: PayloadServer) -> None:
    server.add("/api/daily_papers", Reply(b"[]", content_type="application/json"))
    for day in DAYS:
        server.add(
            "/api/daily_papers",
            Reply(
                gzip.decompress((RAW / f"{day}.json.gz").read_bytes()),
                content_type="application/json",
            ),
            date=day,
        )


def test_the_live_client_asks_day_by_day_and_pages_a_full_day(
    server: PayloadServer, net_settings: Settings
):
    items = raw_items("2026-08-21")
    page = {"content_type": "application/json"}
    server.add("/api/daily_papers", Reply(b"[]", **page))
    server.add(
        "/api/daily_papers",
        Reply(json.dumps(items[:10]).encode(), **page),
        date="2026-08-21",
        p="0",
    )
    server.add(
        "/api/daily_papers",
        Reply(wrapped("2026-08-21", items[10:]), **page),
        date="2026-08-21",
        p="1",
    )
    settings = net_settings.model_copy(update={"hf_page_size": 10})
    sleeps: list[float] = []
    fetcher = PoliteFetcher(settings, delay=settings.hf_delay_seconds, sleep=sleeps.append)
    found = records_of(
        HFDailyApi(settings, since=date(2026, 8, 20), until=date(2026, 8, 21), fetcher=fetcher)
    )
    assert [r.arxiv_id for r in found] == [i["paper"]["id"] for i in items]
    assert [r.listing.position for r in found] == list(range(17))
    assert {r.listing.listing_date for r in found} == {date(2026, 8, 21)}
    asked = [(s.params["date"], s.params["p"], s.params["limit"]) for s in server.requests]
    assert asked == [
        ("2026-08-20", "0", "10"),
        ("2026-08-21", "0", "10"),
        ("2026-08-21", "1", "10"),
    ]
    assert len(sleeps) == 2  # the politeness delay between the three calls


def stats(env: dict[str, str]) -> dict:
    return json.loads(run_cli(env, "stats", "--json").stdout)


def test_cli_ingests_the_live_days_into_the_store_idempotently(
    server: PayloadServer, net_env: dict[str, str]
):
    serve_days(server)
    args = ("ingest", "hf-daily", "--since", "2025-06-15", "--until", "2025-06-16", "--json")
    first = json.loads(run_cli(net_env, *args).stdout)
    assert (first["new"], first["updated"], first["rejected"], first["listings"]) == (9, 0, 0, 9)
    again = json.loads(run_cli(net_env, *args).stdout)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 9)
    shown = json.loads(run_cli(net_env, "papers", "show", "2506.11924", "--json").stdout)
    assert shown["title"].startswith("Aligned Novel View Image and Geometry Synthesis")
    assert [r["url"] for r in shown["code_repos"]] == ["https://github.com/cvlab-kaist/MoAI"]
    assert shown["listings"][0]["listing_date"] == "2025-06-16"
    assert shown["listings"][0]["submitted_by"] == "bracio9623"
    assert stats(net_env)["listing_days"] == 1
    one_day = json.loads(
        run_cli(net_env, "ingest", "hf-daily", "--date", "2024-05-27", "--json").stdout
    )
    assert (one_day["new"], one_day["listings"]) == (13, 13)
    assert server.hits("/api/daily_papers")[-1].params["date"] == "2024-05-27"


def test_cli_ingests_archived_raw_days_from_disk(cli_env: dict[str, str]):
    files = [str(RAW / f"{day}.json.gz") for day in DAYS]
    one = run_cli(cli_env, "ingest", "hf-daily", *files, "--date", "2025-06-16", "--json")
    assert json.loads(one.stdout)["new"] == 9
    report = json.loads(run_cli(cli_env, "ingest", "hf-daily", *files, "--json").stdout)
    assert (report["new"], report["unchanged"], report["rejected"]) == (30, 9, 0)
    assert report["listings"] == 30
    assert stats(cli_env)["listing_days"] == 3
    shown = json.loads(run_cli(cli_env, "papers", "show", "2608.19880", "--json").stdout)
    assert shown["code_repos"][0]["stars"] == 8
