from paperscope.ingest.clean import clean_text, code_links, normalize_code_url


def urls(text):
    return [link.url for link in code_links(text)]


def test_arxiv_line_breaks_and_indentation_become_single_spaces():
    raw = "  We study\nthe problem of\n  quantum   gravity.\n"
    assert clean_text(raw) == "We study the problem of quantum gravity."


def test_code_links_are_found_and_normalized():
    text = (
        "Code: SVDD{https://github.com/masa-ue/SVDD}. Also https://github.com/foo/bar.git, "
        "(https://github.com/a/b). See https://gitlab.com/grp/proj/-/tree/main and "
        "https://huggingface.co/datasets/org/data/tree/main; github.com/alibaba/conv-llava."
    )
    assert urls(text) == [
        "https://github.com/masa-ue/SVDD",
        "https://github.com/foo/bar",
        "https://github.com/a/b",
        "https://gitlab.com/grp/proj",
        "https://huggingface.co/datasets/org/data",
        "https://github.com/alibaba/conv-llava",
    ]


def test_links_that_are_not_code_are_left_out_and_duplicates_collapse():
    text = (
        "https://huggingface.co/papers/2405.15738 https://example.org/x "
        "https://github.com/Foo/Bar and https://github.com/Foo/Bar/issues/3"
    )
    assert urls(text) == ["https://github.com/Foo/Bar"]


def test_an_explicit_repo_url_without_scheme_is_normalized():
    link = normalize_code_url("github.com/openai/whisper/")
    assert link is not None and link.url == "https://github.com/openai/whisper"
    assert link.host == "github"
