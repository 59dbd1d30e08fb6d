"""GitHub Actions workflow commands: each finding as an ::error (or ::warning) on its file and line."""

from __future__ import annotations

from dataetik.findings import how_to_fix
from dataetik.report import Result


def _escape(text: str) -> str:
    # https://docs.github.com/actions/reference/workflow-commands: data and property escaping.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def render(results: list[Result]) -> str:
    lines = []
    for result in results:
        for f in result.findings:
            props = [f"file={_escape_property(f.file)}"] if f.file else []
            if f.file and f.line:
                props.append(f"line={f.line}")
            title = " / ".join(p for p in (f.project, f.requirement) if p) or f.rule
            props.append(f"title={_escape_property(title)}")
            command = "error" if f.is_error else "warning"
            message = f"{f.problem} {how_to_fix()} {f.fix}"
            lines.append(f"::{command} {','.join(props)}::{_escape(message)}")
    return "\n".join(lines)
