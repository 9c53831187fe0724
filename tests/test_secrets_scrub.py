"""The scrubber of provider secrets (playground/secrets_scrub.py), on its own: every form,
every place a stream may split a secret, and ordinary text left alone and not delayed."""

import io

from hypothesis import given
from hypothesis import strategies as st

from playground.secrets_scrub import (
    NO_SECRETS,
    ScrubbingWriter,
    scrubber_for,
    secret_variants,
)
from tests.leak_scan import Collected, leak_forms
from tests.providerconfig.factories import DB_API_KEY, DB_HEADER_SECRET

SCRUBBER = scrubber_for([DB_API_KEY, DB_HEADER_SECRET])


def leaks(text: str) -> list:
    scan = Collected()
    scan.add("frame", text)
    return scan.leaks()


def test_every_form_of_every_secret_is_scrubbed() -> None:
    for secret in (DB_API_KEY, DB_HEADER_SECRET):
        for name, form in leak_forms(secret).items():
            text = f"before {form} after"
            assert leaks(text), name  # the scan sees it...
            assert leaks(SCRUBBER.scrub(text)) == [], name  # ...and not once scrubbed
            assert SCRUBBER.scrub(text).startswith("before ***"), name


def test_html_escaped_and_json_escaped_secrets_are_scrubbed() -> None:
    secret = "tok'en&\"value<x>"
    scrubber = scrubber_for([secret])
    for form in ("tok&#x27;en&amp;&quot;value&lt;x&gt;", "tok'en&\\\"value<x>", secret.upper()):
        assert scrubber.scrub(f"a {form} b") == "a *** b"
    assert "tok'en&\\\"value<x>".lower() in secret_variants(secret)


def test_ordinary_text_is_left_alone_and_not_held_back() -> None:
    text = "Hello! Here is some sk- text, %73 and \\u00 and base64 c2s: nothing secret."
    assert SCRUBBER.scrub(text) == text
    stream = SCRUBBER.stream()
    assert stream.feed(text) == text
    assert not stream.holding


def test_a_tail_that_may_begin_a_secret_waits_for_what_follows() -> None:
    stream = SCRUBBER.stream()
    assert stream.feed("Your key is sk-db-SEC") == "Your key is "
    assert stream.feed("RET-stored") == ""
    assert stream.feed("-key-7777, enjoy") == "***, enjoy"
    stream = SCRUBBER.stream()
    assert stream.feed("it ends with sk-d") == "it ends with "
    assert stream.finish() == "sk-d"  # the end came: a prefix alone is no secret


@given(st.lists(st.integers(min_value=0, max_value=400), max_size=12), st.sampled_from(range(10)))
def test_a_secret_split_anywhere_across_chunks_never_passes(cuts: list[int], which: int) -> None:
    secret = (DB_API_KEY, DB_HEADER_SECRET)[which % 2]
    form = list(leak_forms(secret).values())[which]
    text = f"Sure. {form} and {secret} -- done"
    places = sorted({min(cut, len(text)) for cut in cuts})
    pieces = [text[a:b] for a, b in zip([0, *places], [*places, len(text)], strict=True)]
    stream = SCRUBBER.stream()
    sent = [stream.feed(piece) for piece in pieces] + [stream.finish()]
    for frame in sent:
        assert leaks(frame) == []
    assert "".join(sent) == SCRUBBER.scrub(text)


def test_no_secrets_costs_nothing_and_changes_nothing() -> None:
    assert not NO_SECRETS
    assert scrubber_for(["", "abc"]) is NO_SECRETS  # too short to search for
    assert NO_SECRETS.scrub(DB_API_KEY) == DB_API_KEY


def test_the_terminal_writer_holds_a_split_secret_until_it_is_whole() -> None:
    out = io.StringIO()
    writer = ScrubbingWriter(out, SCRUBBER)
    for character in f"key: {DB_API_KEY}\n":
        writer.write(character)
        writer.flush()
    writer.finish()
    assert out.getvalue() == "key: ***\n"


def test_a_secret_spelled_over_several_pieces_is_hidden_in_each() -> None:
    pieces = ["Your", " key", " is ", "sk-db", "-SECRET-stored", "-key-7777", ", enjoy"]
    shown = SCRUBBER.scrub_pieces(pieces)
    assert shown == ["Your", " key", " is ", "***", "", "", ", enjoy"]
    assert leaks("".join(shown)) == []
    assert SCRUBBER.scrub_pieces(["a", f"b {DB_API_KEY} c", "d"]) == ["a", "b *** c", "d"]
    assert SCRUBBER.scrub_pieces(["x sk-db-SECRET-stored-key-", "7777 y"]) == ["x ***", " y"]
    assert NO_SECRETS.scrub_pieces(pieces) == pieces
