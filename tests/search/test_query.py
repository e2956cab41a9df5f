"""Query syntax: parsed parts, and bad syntax that never errors (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from paperscope.search.query import MAX_QUERY_CHARS, parse_query


def test_plain_words_are_terms_and_text():
    parsed = parse_query("graph neural networks")
    assert parsed.terms == ("graph", "neural", "networks")
    assert parsed.text == "graph neural networks"
    assert parsed.has_text and not parsed.phrases and parsed.arxiv_id is None


def test_phrase_exclusion_and_operators():
    parsed = parse_query(
        '"diffusion model" -gan -"style transfer" author:"Yann LeCun" cat:cs.CV has:code video'
    )
    assert parsed.phrases == ("diffusion model",)
    assert parsed.terms == ("video",)
    assert parsed.excluded == ("gan", "style transfer")
    assert parsed.authors == ("Yann LeCun",)
    assert parsed.categories == ("cs.cv",)
    assert parsed.has_code
    assert parsed.text == "diffusion model video"


@pytest.mark.parametrize(
    ("query", "since", "until"),
    [
        ("year:2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("year:2021-2023", date(2021, 1, 1), date(2023, 12, 31)),
        ("since:2023", date(2023, 1, 1), None),
        ("since:2023-05", date(2023, 5, 1), None),
        ("until:2024-02", None, date(2024, 2, 29)),
        ("since:2023-05-17 until:2023-06-01", date(2023, 5, 17), date(2023, 6, 1)),
        ("year:2024 since:2024-06-01", date(2024, 6, 1), date(2024, 12, 31)),
    ],
)
def test_dates(query, since, until):
    parsed = parse_query(query)
    assert (parsed.since, parsed.until) == (since, until)
    assert not parsed.has_text


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "year:soon",
        "since:2024-13-45",
        "has:wings",
        "foo:bar",
        "((( ))) AND OR NOT ~ ^ * ? : \\",
        "author:",
        "-",
        "",
        "   ",
        'cat:"" -"" ""',
    ],
)
def test_bad_syntax_never_errors_and_keeps_the_words(query):
    parsed = parse_query(query)
    assert parsed.raw == query[:MAX_QUERY_CHARS]
    words = [w for w in query.replace('"', " ").split() if w.isalpha() and len(w) > 2]
    for word in words:
        assert word in parsed.text or word.lower() in parsed.text.lower()


def test_unknown_values_fall_back_to_text_with_a_note():
    parsed = parse_query("year:soon transformers")
    assert "soon" in parsed.text and "transformers" in parsed.text
    assert parsed.since is None and parsed.notes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2405.15738", "2405.15738"),
        ("2405.15738v3", "2405.15738"),
        ("arXiv:2405.15738", "2405.15738"),
        ("https://arxiv.org/abs/2405.15738v2", "2405.15738"),
        ("https://arxiv.org/pdf/2405.15738v2.pdf", "2405.15738"),
        ("  http://export.arxiv.org/abs/hep-th/9901001  ", "hep-th/9901001"),
        ("https://huggingface.co/papers/2405.15738", "2405.15738"),
        ("graph networks", None),
        ("2405.15738 diffusion", None),
    ],
)
def test_pasted_arxiv_ids_and_urls(query, expected):
    assert parse_query(query).arxiv_id == expected


def test_queries_are_capped():
    parsed = parse_query("word " * 200)
    assert parsed.truncated
    assert len(parsed.raw) == MAX_QUERY_CHARS
    assert len(parsed.text) <= MAX_QUERY_CHARS


def test_as_dict_is_plain_json():
    import json

    data = parse_query('since:2024 "a b" c').as_dict()
    assert json.loads(json.dumps(data))["since"] == "2024-01-01"
