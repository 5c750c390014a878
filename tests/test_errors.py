"""RedlineError renders as one bounded, printable line, whatever went into it."""

from __future__ import annotations

from redline.errors import MAX_PART_CHARS, RedlineError, listing, one_line


def test_the_line_has_file_line_field_message_and_hint():
    error = RedlineError("bad value", file="s.yaml", line=3, field="actors[0]", hint="fix it")
    assert str(error) == "s.yaml:3: actors[0]: bad value (hint: fix it)"


def test_line_breaks_and_control_characters_never_reach_the_terminal():
    error = RedlineError("YAML error: bad\n  in \"<unicode string>\", position 8\x1b[31m",
                         file="a\nb.yaml")
    text = str(error)
    assert "\n" not in text and "\x1b" not in text
    assert text == 'a b.yaml: YAML error: bad in "<unicode string>", position 8\\x1b[31m'


def test_huge_messages_and_paths_are_cut_in_the_middle():
    names = ", ".join(f"d{k:04d}.xml" for k in range(10_000))  # about 110,000 characters
    error = RedlineError(f"found {names}", file="/" + "a" * 5000, hint="h" * 1000)
    text = str(error)
    assert len(text) < sum(MAX_PART_CHARS.values()) + 200
    assert text.startswith("/aaa") and "d0000.xml" in text and "d9999.xml" in text
    assert "characters cut" in text


def test_listing_names_a_few_then_counts_the_rest():
    assert listing(["a", "b"]) == "a, b"
    assert listing([]) == ""
    assert listing(range(1000)) == "0, 1, 2, 3, 4 and 995 more"
    assert listing(range(7), limit=2) == "0, 1 and 5 more"


def test_one_line_keeps_short_text_as_it_is():
    assert one_line("plain text, é and ü") == "plain text, é and ü"
    assert one_line("tab\there") == "tab here"
