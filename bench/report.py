"""The benchmark's figures: a console table, target verdicts and the markdown for the docs."""

import math
import os
import platform
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.stats import Comparison, percentile

RESULTS_START = "<!-- bench:results:start -->"
RESULTS_END = "<!-- bench:results:end -->"


@dataclass
class Target:
    streams: int
    label: str
    limit: float
    unit: str
    value: Callable[[Comparison], float]

    def verdict(self, comparison: Comparison) -> tuple[float, bool]:
        value = self.value(comparison)
        return value, (not math.isnan(value)) and value <= self.limit


MS = 1000.0
TARGETS = [
    Target(50, "added time to first token, p50", 45, "ms", lambda c: c.added("ttft", 50) * MS),
    Target(50, "added per-token delay, p99", 10, "ms", lambda c: c.added("lateness", 99) * MS),
    Target(200, "added per-token delay, p50", 40, "ms", lambda c: c.added("lateness", 50) * MS),
    Target(200, "daphne CPU per token", 100, "µs", lambda c: c.cpu_per_token() * 1e6),
]


def _ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * MS:.1f}"


def _rows(comparisons: list[Comparison]) -> tuple[list[str], list[list[str]]]:
    """One row per (concurrency, path): raw figures, then what the playground adds."""
    header = [
        "streams",
        "path",
        "TTFT p50 ms",
        "TTFT p99 ms",
        "lateness p50 ms",
        "lateness p99 ms",
        "lag p50 ms",
        "lag p99 ms",
        "tokens/frame",
        "delivered",
        "lost",
        "misrouted",
        "broken streams",
        "CPU µs/token",
        "peak RSS MiB",
    ]
    rows = []
    for c in comparisons:
        for s in (c.direct, c.ws):
            ws = s is c.ws
            rows.append(
                [
                    str(s.streams),
                    "playground" if ws else "direct",
                    _ms(percentile(s.ttft(), 50)),
                    _ms(percentile(s.ttft(), 99)),
                    _ms(percentile(s.lateness(), 50)),
                    _ms(percentile(s.lateness(), 99)),
                    _ms(c.lag(50)) if ws else "",
                    _ms(c.lag(99)) if ws else "",
                    f"{c.tokens_per_frame():.2f}" if ws else "",
                    str(s.delivered),
                    str(s.lost),
                    str(s.misrouted),
                    str(s.broken_streams),
                    f"{c.cpu_per_token() * 1e6:.0f}" if ws else "",
                    f"{c.peak_rss_bytes / 2**20:.0f}" if ws else "",
                ]
            )
        rows.append(
            [
                str(c.ws.streams),
                "added",
                f"{c.added('ttft', 50) * MS:+.1f}",
                f"{c.added('ttft', 99) * MS:+.1f}",
                f"{c.added('lateness', 50) * MS:+.1f}",
                f"{c.added('lateness', 99) * MS:+.1f}",
                *[""] * 9,
            ]
        )
    return header, rows


def _process_rows(comparisons: list[Comparison]) -> tuple[list[str], list[list[str]]]:
    """CPU seconds of each process during each run, to show what the load generator costs."""
    header = ["streams", "path", "wall s", "daphne CPU s", "upstream CPU s", "client CPU s"]
    rows = []
    for c in comparisons:
        for s in (c.direct, c.ws):
            rows.append(
                [
                    str(s.streams),
                    "playground" if s is c.ws else "direct",
                    f"{s.summary.get('wall_seconds', math.nan):.2f}",
                    f"{s.cpu('daphne'):.2f}",
                    f"{s.cpu('upstream'):.2f}",
                    f"{s.cpu('client'):.2f}",
                ]
            )
    return header, rows


def verdicts(comparisons: list[Comparison]) -> list[tuple[Target, float, bool]]:
    by_streams = {c.ws.streams: c for c in comparisons}
    return [
        (target, *target.verdict(by_streams[target.streams]))
        for target in TARGETS
        if target.streams in by_streams
    ]


def console_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    # The first two columns (streams, path) are labels; the figures align right.
    align = ["---" if i < 2 else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def verdict_lines(comparisons: list[Comparison]) -> list[str]:
    return [
        f"{'PASS' if ok else 'FAIL'}  {t.streams} streams: {t.label} = {value:.1f} {t.unit}"
        f" (target ≤ {t.limit:g} {t.unit})"
        for t, value, ok in verdicts(comparisons)
    ]


def integrity_lines(comparisons: list[Comparison]) -> list[str]:
    lines = []
    for c in comparisons:
        for s in (c.direct, c.ws):
            ok = s.lost == 0 and s.misrouted == 0 and s.broken_streams == 0
            path = "playground" if s is c.ws else "direct"
            lines.append(
                f"{'PASS' if ok else 'FAIL'}  {s.streams} streams, {path}: {s.lost} tokens lost,"
                f" {s.misrouted} misrouted, {s.broken_streams} broken streams"
            )
    return lines


def print_report(comparisons: list[Comparison], context: dict[str, str]) -> None:
    print()
    print(console_table(*_rows(comparisons)))
    print()
    print(console_table(*_process_rows(comparisons)))
    print()
    for line in integrity_lines(comparisons) + verdict_lines(comparisons):
        print(line)
    print(f"(websocket extensions negotiated: {context['ws_extensions']})")


def machine() -> dict[str, str]:
    model = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        model = found.group(1) if found else ""
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("Django", "channels", "daphne", "Twisted", "httpx", "websockets")
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({model or platform.machine()})",
        "python": platform.python_version(),
        "packages": packages,
        "commit": commit or "unknown",
    }


def markdown_results(comparisons: list[Comparison], context: dict[str, str]) -> str:
    info = machine()
    lines = [
        f"Run of {info['date']} on {info['machine']}, Python {info['python']}, "
        f"{info['packages']}; commit {info['commit']} (plus uncommitted changes, if any).",
        "",
        f"Settings: {context['settings']}.",
        "",
        markdown_table(*_rows(comparisons)),
        "",
        "CPU seconds spent by each process, summed over the rounds (all three share the 2 cores):",
        "",
        markdown_table(*_process_rows(comparisons)),
        "",
        *[f"- {line}" for line in integrity_lines(comparisons) + verdict_lines(comparisons)],
        f"- websocket extensions negotiated: {context['ws_extensions']}",
    ]
    return "\n".join(lines)


def write_markdown(path: Path, comparisons: list[Comparison], context: dict[str, str]) -> bool:
    """Replace the results between the markers of ``path``; False if the markers are missing."""
    if not path.exists():
        return False
    text = path.read_text()
    if RESULTS_START not in text or RESULTS_END not in text:
        return False
    head, rest = text.split(RESULTS_START, 1)
    _, tail = rest.split(RESULTS_END, 1)
    body = markdown_results(comparisons, context)
    path.write_text(f"{head}{RESULTS_START}\n{body}\n{RESULTS_END}{tail}")
    return True
