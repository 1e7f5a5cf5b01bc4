"""Judges of the tool-calling features."""

from __future__ import annotations

from collections.abc import Sequence

from migrate_cli.probe import answers as read
from migrate_cli.probe.answers import quote
from migrate_cli.probe.judging import Judgement, answer_of, by_role, text_of, unknown
from migrate_cli.probe.records import Exchange
from migrate_cli.probe.requests import FORCED_TOOL, ProbeSettings


def tools(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    probe = answer_of(by_role(exchanges, "probe")[0])
    calls = read.tool_calls(probe)
    if calls:
        return "accepted", f"called {read.describe_call(calls[0])}"
    text = text_of(probe, settings)
    control = answer_of(by_role(exchanges, "control")[0])
    with_tools, without = read.usage_count(probe, "prompt_tokens"), read.usage_count(control, "prompt_tokens")
    if not with_tools or not without:  # no usage, or a provider that reports zeros
        raise unknown(
            f"no tool call (tool_choice auto), the model answered {quote(text)}; "
            "no usage to tell whether the tool definition reached it"
        )
    if with_tools <= without:
        return "ignored", (
            f"no tool call, and the tool definition added no prompt tokens ({with_tools} with it, "
            f"{without} without): the provider dropped it; the model answered {quote(text)}"
        )
    raise unknown(
        f"no tool call (tool_choice auto, which allows that): the model answered {quote(text)}; the tool "
        f"definition did reach it ({with_tools} prompt tokens with it, {without} without)"
    )


def tool_choice_required(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = answer_of(exchanges[0])
    calls = read.tool_calls(answer)
    if calls:
        return "accepted", f"called {read.describe_call(calls[0])}"
    return "ignored", f'tool_choice "required", but no tool call: {quote(text_of(answer, settings))}'


def tool_choice_named(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = answer_of(exchanges[0])
    calls = read.tool_calls(answer)
    names = read.tool_names(answer)
    if calls and names[0] == FORCED_TOOL:
        return "accepted", f"called the forced tool: {read.describe_call(calls[0])}"
    if calls:
        return "ignored", f"forced {FORCED_TOOL}, but the model called {', '.join(names)}"
    return "ignored", f"forced {FORCED_TOOL}, but no tool call: {quote(text_of(answer, settings))}"


def parallel_tool_calls(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    off = answer_of(by_role(exchanges, "off")[0])
    on = answer_of(by_role(exchanges, "on")[0])
    off_calls, on_calls = len(read.tool_calls(off)), len(read.tool_calls(on))
    if off_calls > 1:
        names = ", ".join(read.tool_names(off))
        return "ignored", f"parallel_tool_calls false still gave {off_calls} tool calls ({names})"
    if on_calls >= 2:
        return "accepted", f"{on_calls} tool calls when allowed, {off_calls} with parallel_tool_calls false"
    if on_calls == 0:
        raise unknown("no tool call at all, so the switch could not be seen (see tools)")
    raise unknown("the model made one tool call even with parallel calls allowed, so the switch could not be seen")
