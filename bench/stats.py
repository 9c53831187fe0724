"""Integrity checks and latency figures for one scenario (see docs/benchmarks.md, Method).

Every token is `` {tag}:{i}``; a stream's tag is unique to it. A token is
*delivered* when it carries its stream's tag and a higher index than the one
before; it is *misrouted* when it carries another stream's tag, *out of order*
when its index is not higher (a repeat or a step back), *lost* when its index
never arrives, and a stream whose concatenated reply differs in any way from the
expected text is *corrupt*.
"""

import bisect
import math
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r" ([A-Za-z0-9]+):(\d+)")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class StreamCheck:
    """What one stream delivered: arrival offset per token index (None if never arrived)."""

    arrivals: list[float | None]
    misrouted: int
    out_of_order: int
    corrupt: bool
    reply_frames: int

    @property
    def lost(self) -> int:
        return self.arrivals.count(None)


def check_stream(tag: str, pieces: list[tuple[float, str]], tokens: int) -> StreamCheck:
    text = "".join(piece for _, piece in pieces)
    ends = []  # end position (exclusive) of each piece in ``text``
    position = 0
    for _, piece in pieces:
        position += len(piece)
        ends.append(position)
    arrivals: list[float | None] = [None] * tokens
    misrouted = out_of_order = 0
    expected = 0
    for match in _TOKEN.finditer(text):
        # A token belongs to the piece that holds its last character.
        offset = pieces[bisect.bisect_right(ends, match.end() - 1)][0]
        if match.group(1) != tag:
            misrouted += 1
            continue
        index = int(match.group(2))
        if index < expected or index >= tokens:  # a repeat, a step back, or past the end
            out_of_order += 1
            continue
        arrivals[index] = offset  # indexes skipped on the way stay None: lost
        expected = index + 1
    corrupt = text != "".join(f" {tag}:{i}" for i in range(tokens))
    return StreamCheck(arrivals, misrouted, out_of_order, corrupt, len(pieces))


@dataclass
class Scenario:
    """The checked streams of one (path, concurrency), all rounds pooled, with the summary."""

    mode: str
    streams: int  # concurrent streams (the scenario's concurrency)
    tokens: int
    interval: float  # seconds between two tokens at the upstream
    checks: list[StreamCheck]
    states: list[str]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def delivered(self) -> int:
        return sum(self.tokens - check.lost for check in self.checks)

    @property
    def lost(self) -> int:
        return sum(check.lost for check in self.checks)

    @property
    def misrouted(self) -> int:
        return sum(check.misrouted for check in self.checks)

    @property
    def broken_streams(self) -> int:
        """Streams that did not end "done", or whose text was not exactly the expected one."""
        return sum(
            state != "done" or check.corrupt or check.out_of_order > 0
            for state, check in zip(self.states, self.checks, strict=True)
        )

    def ttft(self) -> list[float]:
        return [c.arrivals[0] for c in self.checks if c.arrivals and c.arrivals[0] is not None]

    def lateness(self) -> list[float]:
        """Per token: how late it is against its stream's upstream schedule (see Method).

        The upstream sends token i at ``t0 + i * interval``; ``t0`` as this client sees
        it is estimated by the least-late token of the stream, so every value is ≥ 0
        and a token held back for a batched frame shows exactly how long it waited.
        """
        values = []
        for check in self.checks:
            shifted = [
                offset - i * self.interval
                for i, offset in enumerate(check.arrivals)
                if offset is not None
            ]
            if shifted:
                base = min(shifted)
                values.extend(value - base for value in shifted)
        return values

    def offsets_by_index(self) -> list[list[float]]:
        by_index: list[list[float]] = [[] for _ in range(self.tokens)]
        for check in self.checks:
            for i, offset in enumerate(check.arrivals):
                if offset is not None:
                    by_index[i].append(offset)
        return by_index

    def lag_behind(self, direct: "Scenario") -> list[float]:
        """Per token: arrival offset minus the median direct offset of the same index."""
        medians = [
            statistics.median(values) if values else math.nan
            for values in direct.offsets_by_index()
        ]
        return [
            offset - medians[i]
            for check in self.checks
            for i, offset in enumerate(check.arrivals)
            if offset is not None and not math.isnan(medians[i])
        ]

    def cpu(self, process: str) -> float:
        return self.summary.get("cpu_seconds", {}).get(process, math.nan)


def scenario_from_result(
    result: dict[str, Any], concurrency: int, tokens: int, interval: float
) -> Scenario:
    """Check every stream of a (pooled) result; ``interval`` is the upstream's token spacing."""
    checks = [check_stream(s["tag"], s["pieces"], tokens) for s in result["streams"]]
    return Scenario(
        mode=result["mode"],
        streams=concurrency,
        tokens=tokens,
        interval=interval,
        checks=checks,
        states=[s["state"] for s in result["streams"]],
        summary={k: v for k, v in result.items() if k != "streams"},
    )


@dataclass
class Comparison:
    """The playground (ws) against the direct call at one concurrency: what it adds."""

    direct: Scenario
    ws: Scenario
    peak_rss_bytes: int

    def added(self, metric: str, q: float) -> float:
        """``q``-th percentile through the playground minus the same percentile direct."""
        return percentile(getattr(self.ws, metric)(), q) - percentile(
            getattr(self.direct, metric)(), q
        )

    def lag(self, q: float) -> float:
        return percentile(self.ws.lag_behind(self.direct), q)

    def cpu_per_token(self) -> float:
        return self.ws.cpu("daphne") / self.ws.delivered if self.ws.delivered else math.nan

    def tokens_per_frame(self) -> float:
        frames = sum(check.reply_frames for check in self.ws.checks)
        return self.ws.delivered / frames if frames else math.nan
