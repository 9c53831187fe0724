"""A hostile OpenAI-compatible upstream: it echoes every secret a request carries.

A real HTTP server on 127.0.0.1 (the fake upstream's, tests/fake_upstream.py), whose
answers put the request's key (``Authorization``) and the values of its ``X-…`` headers
(a stored provider's secret extra headers) everywhere an answer has text, in each form of
``leak_forms`` (as sent, case-changed, base64 at each alignment, percent-encoded,
``\\u``-escaped): the reply text (each form split across two SSE chunks, the key one
character per chunk too, and a chunk whose JSON escapes every character), tool-call
arguments, logprobs tokens and their alternatives, the response headers the inspector
shows, the model ids of ``GET /models``, the embeddings' and moderations' fields, and the
error message of a refusal (a request for the model ``error``), and a logprob that is no
number (the model ``crash``: the server logs the failure to read it).
"""

import asyncio
import json
from typing import Any

from tests.fake_upstream import FakeUpstream, RecordedRequest
from tests.leak_scan import leak_forms

# Longer than the playground's shortest interval between two frames of a stream (15 ms).
PAUSE = 0.03


def echoed_secrets(headers: dict[str, str]) -> list[str]:
    """The secrets a request carried: its key and its ``X-…`` headers' values."""
    found = []
    key = headers.get("authorization", "").removeprefix("Bearer ")
    if key:
        found.append(key)
    found += [value for name, value in headers.items() if name.startswith("x-") and value]
    return found


def all_forms(secrets: list[str]) -> list[str]:
    return [form for secret in secrets for form in leak_forms(secret).values()]


class HostileUpstream(FakeUpstream):
    async def _route(self, record: RecordedRequest, reader: Any, writer: Any) -> bool:
        secrets = echoed_secrets(record.headers)
        forms = all_forms(secrets)
        headers = _echo_headers(secrets)
        path = record.path.split("?")[0]
        body = record.body if isinstance(record.body, dict) else {}
        if record.method == "GET" and path.endswith("/models"):
            data = [{"id": form, "object": "model"} for form in forms]
            data.append({"id": "honest-model", "object": "model"})
            await self._send_json(writer, 200, {"object": "list", "data": data}, headers)
            return True
        if body.get("model") == "error":
            message = "Invalid request from " + " ".join(forms)
            payload = {"error": {"message": message, "type": "invalid_request_error"}}
            await self._send_json(writer, 400, payload, headers + "Connection: close\r\n")
            return False
        if path.endswith("/embeddings"):
            payload = {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.6, 0.8]}],
                "model": " ".join(forms),
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
            await self._send_json(writer, 200, payload, headers + "Connection: close\r\n")
            return False
        if path.endswith("/moderations"):
            result = {
                "flagged": True,
                "categories": {form: True for form in forms},
                "category_scores": {form: 0.9 for form in forms},
            }
            payload = {"id": "modr-1", "model": " ".join(forms), "results": [result]}
            await self._send_json(writer, 200, payload, headers + "Connection: close\r\n")
            return False
        if path.endswith("/chat/completions"):
            if body.get("model") == "crash":
                await self._crash_echo(writer, secrets, headers)
            elif body.get("stream"):
                await self._stream_echo(writer, secrets, forms, headers)
            else:
                await self._send_json(
                    writer, 200, _whole_echo(forms), headers + "Connection: close\r\n"
                )
            return False
        await self._send_json(writer, 404, {"error": {"message": "no such path"}})
        return True

    async def _stream_echo(
        self, writer: Any, secrets: list[str], forms: list[str], headers: str
    ) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n" + headers.encode() + b"\r\n"
        )

        def send(data: str) -> None:
            raw = f"data: {data}\n\n".encode()
            writer.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")

        def text(piece: str, logprob_token: str | None = None) -> None:
            choice: dict[str, Any] = {"index": 0, "delta": {"content": piece}}
            if logprob_token is not None:
                alternative = {"token": "alt", "logprob": -1.0, "bytes": None}
                if len(logprob_token) > 1:
                    alternative["token"] = logprob_token
                choice["logprobs"] = {
                    "content": [
                        {
                            "token": logprob_token,
                            "logprob": -0.5,
                            "bytes": None,
                            "top_logprobs": [alternative],
                        }
                    ]
                }
            send(json.dumps({"object": "chat.completion.chunk", "choices": [choice]}))

        for form in forms:
            half = len(form) // 2
            text(" [" + form[:half], logprob_token=form)
            # A pause longer than the frame interval: the halves go out in separate frames.
            await writer.drain()
            await asyncio.sleep(PAUSE)
            text(form[half:] + "] ")
        for secret in secrets:
            for character in secret:
                # One token a character: the probability view spells the secret.
                text(character, logprob_token=character)
                await writer.drain()
                await asyncio.sleep(PAUSE / 4)
            # Every character escaped in the JSON: the raw answer shows the \\u form.
            escaped = "".join(f"\\u{ord(c):04x}" for c in " " + secret + " ")
            send(
                '{"object": "chat.completion.chunk", "choices": [{"index": 0, '
                f'"delta": {{"content": "{escaped}"}}}}]}}'
            )
        arguments = json.dumps({"echo": forms})
        half = len(arguments) // 2
        for position, piece in enumerate((arguments[:half], arguments[half:])):
            call: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
            if position == 0:
                call.update(id="call_echo", type="function")
                call["function"]["name"] = "echo"
            delta = {"tool_calls": [call]}
            send(json.dumps({"choices": [{"index": 0, "delta": delta}]}))
        send(json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
        send("[DONE]")
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _crash_echo(self, writer: Any, secrets: list[str], headers: str) -> None:
        """A chunk whose logprob is the key, not a number: the client fails parsing it, and
        the server logs that failure (with the value) as an internal error."""
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n" + headers.encode() + b"\r\n"
        )
        token = {"token": "x", "logprob": " ".join(secrets), "top_logprobs": []}
        choice = {"index": 0, "delta": {"content": "x"}, "logprobs": {"content": [token]}}
        raw = f"data: {json.dumps({'choices': [choice]})}\n\n".encode()
        writer.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n0\r\n\r\n")
        await writer.drain()


def _whole_echo(forms: list[str]) -> dict[str, Any]:
    content = " ".join(forms)
    return {
        "object": "chat.completion",
        "model": content,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "tool_calls": [
                        {
                            "id": "call_echo",
                            "type": "function",
                            "function": {"name": "echo", "arguments": json.dumps(forms)},
                        }
                    ],
                },
                "logprobs": {
                    "content": [
                        {"token": form, "logprob": -0.5, "top_logprobs": []} for form in forms
                    ]
                },
                "finish_reason": "tool_calls",
            }
        ],
    }


def _echo_headers(secrets: list[str]) -> str:
    """The response headers the inspector shows, each carrying a secret in some form."""
    lines = []
    for number, secret in enumerate(secrets):
        forms = leak_forms(secret)
        lines += [
            f"x-request-id-{number}: {forms['as sent']}",
            f"openai-organization-{number}: {forms['base64']}",
            f"x-ratelimit-remaining-{number}: {forms['percent-encoded']}",
            f"openai-processing-{number}: {forms['upper case']}",
            f"retry-after-{number}: {forms['base64 of Bearer']}",
        ]
    lines.append(f"x-request-id: {secrets[0] if secrets else 'none'}")
    return "".join(line + "\r\n" for line in lines)
