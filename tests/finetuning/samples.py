"""Training files for the tests: valid chat-format JSONL, and ways of getting it wrong."""

import json


def example(number: int) -> dict:
    return {
        "messages": [
            {"role": "system", "content": "You answer in one word."},
            {"role": "user", "content": f"Question {number}?"},
            {"role": "assistant", "content": f"Answer{number}"},
        ]
    }


def training_jsonl(count: int = 12) -> bytes:
    return "".join(json.dumps(example(n)) + "\n" for n in range(count)).encode()
