"""The history diff: parameters one per line, texts line by line, nothing left out."""

from playground.presets.diff import DiffLine, version_diff


def chat(content, **extra) -> dict:
    message = {"role": "assistant", "content": content, **extra}
    return {"mode": "chat", "provider": "offline", "body": {"model": "m", "messages": [message]}}


def changed(old: dict, new: dict) -> list[DiffLine]:
    return [line for line in version_diff(old, new) if line.kind in {"added", "removed"}]


def test_one_changed_line_of_a_long_message_is_one_changed_line():
    old = chat("line one\nline two\nline three")
    new = chat("line one\nline 2\nline three")
    assert changed(old, new) == [DiffLine("removed", "line two"), DiffLine("added", "line 2")]


def test_tool_calls_and_content_parts_are_compared_too():
    call = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    old = chat(None, tool_calls=call)
    new = chat([{"type": "text", "text": "hi"}], tool_calls=[])
    lines = changed(old, new)
    assert DiffLine("removed", "null") in lines
    assert DiffLine("added", '[{"text": "hi", "type": "text"}]') in lines
    assert any(line.kind == "removed" and line.text.startswith("tool_calls: [") for line in lines)


def test_a_completion_prompt_and_variables_are_compared():
    def completion(prompt, variables):
        body = {"model": "m", "prompt": prompt}
        return {"mode": "completion", "provider": "p", "body": body, "variables": variables}

    lines = changed(completion("a\nb", {}), completion("a\nc", {"x": "1"}))
    assert DiffLine("removed", "b") in lines and DiffLine("added", "c") in lines
    assert DiffLine("added", 'variables: {"x": "1"}') in lines


def test_identical_requests_have_no_diff():
    assert version_diff(chat("same"), chat("same")) == []
