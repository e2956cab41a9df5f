"""A code repository spelled in two letter cases is one repository, kept in its first spelling."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from support import SHARED_DATA, run_cli

HF_PAPERS = SHARED_DATA / "hf_daily_papers" / "papers.jsonl.gz"


def hf_line(arxiv_id: str) -> bytes:
    with gzip.open(HF_PAPERS, "rb") as lines:
        return next(line for line in lines if f'"arxiv_id": "{arxiv_id}"'.encode() in line)


def code_repos(env, paper_id: str) -> list[str]:
    shown = json.loads(run_cli(env, "papers", "show", paper_id, "--json").stdout)
    return [repo["url"] for repo in shown["code_repos"]]


def test_mathfusion_keeps_one_repo_in_the_spelling_hf_gives(cli_env, tmp_path: Path):
    # HF's githubRepo says QizhiPei/MathFusion; the abstract says .../QizhiPei/mathfusion.
    line = hf_line("2503.16212")
    daily = tmp_path / "mathfusion.jsonl"
    daily.write_bytes(line)
    report = json.loads(run_cli(cli_env, "ingest", "hf-daily-file", str(daily), "--json").stdout)
    assert report["new"] == 1
    assert code_repos(cli_env, "2503.16212") == ["https://github.com/QizhiPei/MathFusion"]

    # A later source spelling it another way adds nothing and changes nothing.
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps(
            {
                "arxiv_id": "2503.16212",
                "title": json.loads(line)["title"],
                "code_urls": ["https://github.com/qizhipei/MATHFUSION"],
            }
        )
        + "\n"
    )
    again = json.loads(run_cli(cli_env, "ingest", "jsonl", str(other), "--json").stdout)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert code_repos(cli_env, "2503.16212") == ["https://github.com/QizhiPei/MathFusion"]
    assert json.loads(run_cli(cli_env, "stats", "--json").stdout)["code_repos"] == 1
