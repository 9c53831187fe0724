"""The terminal's words: what it prints while a run waits to try again."""

import io
import re

from playground.terminal import run_request_data
from tests.conftest import chat_request
from tests.fake_upstream import Scenario


async def test_a_retry_says_its_delay_as_people_read_it(fake_upstream):
    fake_upstream.answer_next(Scenario(status=503, error_message="Overloaded."))
    out, err = io.StringIO(), io.StringIO()
    status = await run_request_data(chat_request(provider="openai")["request"], out, err)
    assert status == 0
    line = next(line for line in err.getvalue().splitlines() if "retrying in" in line)
    # "retrying in 0.021 s", not "retrying in 0.0213458 s".
    delay = re.search(r"retrying in (\S+) s", line)
    assert delay and len(delay.group(1).replace("0.", "").lstrip("0")) <= 2, line
