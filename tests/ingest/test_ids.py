import pytest

from paperscope.ingest.ids import IdError, derived_id, parse_arxiv_id, title_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2405.15738", ("2405.15738", None)),
        ("2405.15738v3", ("2405.15738", 3)),
        ("arXiv:2405.15738v2", ("2405.15738", 2)),
        ("https://arxiv.org/abs/2405.15738v1", ("2405.15738", 1)),
        ("http://export.arxiv.org/abs/2405.15738", ("2405.15738", None)),
        ("https://arxiv.org/pdf/2405.15738v2.pdf", ("2405.15738", 2)),
        ("https://arxiv.org/pdf/2405.15738", ("2405.15738", None)),
        ("oai:arXiv.org:2508.13426v1", ("2508.13426", 1)),
        ("0704.0001", ("0704.0001", None)),
        ("quant-ph/0602109", ("quant-ph/0602109", None)),
        ("https://arxiv.org/abs/quant-ph/0602109v2", ("quant-ph/0602109", 2)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("  2405.15738 ", ("2405.15738", None)),
        ("https://huggingface.co/papers/2608.19880", ("2608.19880", None)),
        ("huggingface.co/papers/2608.19880v2#community", ("2608.19880", 2)),
        ("https://arxiv.org/abs/2405.15738v1?context=cs", ("2405.15738", 1)),
    ],
)
def test_every_way_of_writing_an_arxiv_id_gives_the_canonical_one(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        "2405.157",
        "https://github.com/a/b",
        "12345.6789",
        "https://huggingface.co/papers",
        "https://huggingface.co/models/2405.15738",
    ],
)
def test_what_is_not_an_arxiv_id_is_refused(raw):
    with pytest.raises(IdError):
        parse_arxiv_id(raw)


def test_derived_ids_are_stable_and_ignore_case_punctuation_and_spacing():
    a = derived_id("Attention Is All You Need")
    assert a == derived_id("attention is  all you need.")
    assert a.startswith("ps-")
    assert a != derived_id("Attention Is Not All You Need")
    assert title_key("GPT-4o: Omni") == "gpt 4o omni"
