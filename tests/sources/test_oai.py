"""OAI-PMH arXivRaw harvesting: resumption tokens, 503 + Retry-After, truncation, incremental."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from payload_server import PayloadServer, Reply, payload

from paperscope.config import Settings
from paperscope.models import PaperRecord, PaperscopeError, Rejected
from paperscope.sources.http import PoliteFetcher
from paperscope.sources.oai_pmh import OaiPmh, load_harvest_state, save_harvest_state
from support import run_cli

pytest_plugins = ["net_fixtures"]

TOKEN = "6960524|1001"
IDS = ["0704.0001", "0704.0002", "0704.0003", "hep-th/9711200"]


def serve_harvest(server: PayloadServer, *first: Reply, second: Reply | None = None) -> None:
    server.add("/oai", *(first or (payload("oai_arxivraw_page1.xml"),)), verb="ListRecords")
    server.add(
        "/oai",
        second or payload("oai_arxivraw_page2.xml"),
        verb="ListRecords",
        resumptionToken=TOKEN,
    )


def harvest(settings: Settings, sleeps: list[float], **kwargs) -> tuple[OaiPmh, list]:
    fetcher = PoliteFetcher(settings, delay=settings.oai_delay_seconds, sleep=sleeps.append)
    source = OaiPmh(settings, fetcher=fetcher, **kwargs)
    return source, list(source.records())


def test_pages_follow_the_resumption_token_ten_seconds_apart(
    server: PayloadServer, net_settings: Settings
):
    serve_harvest(server)
    sleeps: list[float] = []
    source, found = harvest(net_settings, sleeps, since=date(2008, 11, 1), set_spec="physics")
    assert [r.arxiv_id for r in found] == IDS  # the deleted record is skipped
    first, second = server.hits("/oai")
    assert first.params == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "from": "2008-11-01",
        "set": "physics",
    }
    assert second.params == {"verb": "ListRecords", "resumptionToken": TOKEN}
    assert len(sleeps) == 1 and 9.9 < sleeps[0] <= 10.0
    assert source.complete and source.last_datestamp == date(2009, 2, 5)


def test_arxiv_raw_fields_and_the_newest_version(server: PayloadServer, net_settings: Settings):
    serve_harvest(server)
    _, found = harvest(net_settings, [], since=date(2008, 11, 1))
    first: PaperRecord = found[0]
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ["C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert (first.version, first.submitter, first.doi) == (
        2,
        "Pavel Nadolsky",
        "10.1103/PhysRevD.76.013009",
    )
    assert first.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert first.updated == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert (first.journal_ref, first.comments) == (
        "Phys.Rev.D76:013009,2007",
        "37 pages, 15 figures; published version",
    )
    second = found[1]
    assert second.authors == ["Ileana Streinu", "Louis Theran"]
    assert (second.categories, second.primary_category) == (["math.CO", "cs.CG"], "math.CO")
    assert second.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert (found[2].version, found[3].version) == (3, 3)


def test_a_503_with_retry_after_is_waited_out(server: PayloadServer, net_settings: Settings):
    busy = Reply(
        b"<html><body>Retry after 7 seconds</body></html>",
        status=503,
        headers={"Retry-After": "7"},
        content_type="text/html",
    )
    serve_harvest(server, busy, payload("oai_arxivraw_page1.xml"))
    sleeps: list[float] = []
    settings = net_settings.model_copy(update={"oai_delay_seconds": 1.0})
    _, found = harvest(settings, sleeps, since=date(2008, 11, 1))
    assert [r.arxiv_id for r in found] == IDS
    assert sleeps[0] == 7.0 and len(server.hits("/oai")) == 3


def test_a_truncated_page_is_an_error_naming_it_after_the_earlier_records(
    server: PayloadServer, net_settings: Settings
):
    serve_harvest(server, second=payload("oai_arxivraw_page2_truncated.xml"))
    fetcher = PoliteFetcher(net_settings, delay=0)
    source = OaiPmh(net_settings, since=date(2008, 11, 1), fetcher=fetcher)
    records = source.records()
    assert [next(records).arxiv_id, next(records).arxiv_id] == IDS[:2]
    with pytest.raises(PaperscopeError) as caught:
        next(records)
    assert f"truncated XML in OAI-PMH page 2 (resumptionToken {TOKEN})" in str(caught.value)
    assert not source.complete


def test_no_records_match_is_an_empty_complete_harvest(
    server: PayloadServer, net_settings: Settings
):
    server.add("/oai", payload("oai_no_records.xml"), verb="ListRecords")
    source, found = harvest(net_settings, [], since=date(2009, 2, 5))
    assert found == [] and source.complete and source.last_datestamp is None


def test_a_bad_record_is_rejected_and_the_harvest_goes_on(
    server: PayloadServer, net_settings: Settings
):
    body = payload("oai_arxivraw_page1.xml").body.replace(
        b'<version version="v2">', b'<version version="second">', 1
    )
    serve_harvest(server, Reply(body))
    _, found = harvest(net_settings, [], since=date(2008, 11, 1))
    assert [r.arxiv_id for r in found if isinstance(r, PaperRecord)] == IDS[1:]
    [rejected] = [r for r in found if isinstance(r, Rejected)]
    assert rejected.origin == "oai page 1#0" and "'second'" in rejected.reason


def test_the_harvest_state_is_kept_per_set(tmp_path: Path):
    assert load_harvest_state(tmp_path, "cs") is None
    save_harvest_state(tmp_path, "cs", date(2025, 8, 20))
    save_harvest_state(tmp_path, None, date(2025, 8, 1))
    assert load_harvest_state(tmp_path, "cs") == date(2025, 8, 20)
    assert load_harvest_state(tmp_path, None) == date(2025, 8, 1)
    assert load_harvest_state(tmp_path, "math") is None


def test_cli_harvests_incrementally_into_the_store(
    server: PayloadServer, net_env: dict[str, str], data_dir: Path
):
    busy = Reply(
        b"Retry later", status=503, headers={"Retry-After": "1"}, content_type="text/plain"
    )
    serve_harvest(server, busy, payload("oai_arxivraw_page1.xml"))
    no_start = run_cli(net_env, "ingest", "oai", "--set", "cs", check=False)
    assert no_start.returncode == 1 and "pass --since" in no_start.stderr

    args = ("ingest", "oai", "--set", "cs", "--json")
    first = json.loads(run_cli(net_env, *args, "--since", "2008-11-01").stdout)
    assert (first["new"], first["updated"], first["rejected"]) == (4, 0, 0)
    state = json.loads((data_dir / "state" / "oai.json").read_text())
    assert state["cs"]["last_datestamp"] == "2009-02-05"
    shown = json.loads(run_cli(net_env, "papers", "show", "0704.0002v1", "--json").stdout)
    assert (shown["version"], shown["submitter"]) == (2, "Louis Theran")
    assert shown["authors"] == ["Ileana Streinu", "Louis Theran"]
    old_style = json.loads(run_cli(net_env, "papers", "show", "hep-th/9711200", "--json").stdout)
    assert (old_style["version"], old_style["journal_ref"]) == (
        3,
        "Adv.Theor.Math.Phys.2:231-252,1998",
    )

    # The next run starts where the last one ended, and re-reading changes nothing.
    again = json.loads(run_cli(net_env, *args).stdout)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert server.hits("/oai")[-2].params["from"] == "2009-02-05"
    assert [s.params.get("from") for s in server.hits("/oai")[:2]] == ["2008-11-01"] * 2


def test_cli_keeps_the_records_before_a_truncated_page_and_fails_clearly(
    server: PayloadServer, net_env: dict[str, str], data_dir: Path
):
    serve_harvest(server, second=payload("oai_arxivraw_page2_truncated.xml"))
    done = run_cli(net_env, "ingest", "oai", "--since", "2008-11-01", "--json", check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["new"] == 2
    error = done.stderr.strip().splitlines()[-1]
    assert "truncated XML in OAI-PMH page 2" in error and "kept" in error
    assert not (data_dir / "state" / "oai.json").exists()  # an unfinished harvest is redone
    stats = json.loads(run_cli(net_env, "stats", "--json").stdout)
    assert stats["papers"] == 2
