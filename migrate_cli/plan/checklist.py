"""Pure: the features a scan found, joined with a probe's verdicts, into a migration checklist.

One item per feature the code uses, in the contract's order, with the probe's verdict, its
evidence, and the call sites at risk. What fails the plan (exit 1):

- a feature the target *rejects* (the code would get an error) or *ignores* (the code would get an
  answer that silently lacks what it asked for);
- a feature the probe never checked (a saved probe run with `--only`, or a feature the probe does
  not know): its verdict is "unknown" and the evidence says so. A CI gate must not pass on what
  nobody checked, and the fix is in the user's hands (probe that feature).

A feature the probe checked but could not decide ("unknown": a rate limit, a model that never
wrote the stop sequence, ...) does not fail the plan: probing again may not change it, and its
evidence says what a person should look at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from migrate_cli.errors import ExitCode
from migrate_cli.features import Verdict, is_feature
from migrate_cli.scan.records import Call, Place

FAILING: frozenset[Verdict] = frozenset({"rejected", "ignored"})


@dataclass(frozen=True)
class ProbeVerdict:
    verdict: Verdict
    evidence: str


@dataclass(frozen=True)
class Item:
    feature: str
    verdict: Verdict
    evidence: str
    sites: tuple[Place, ...]
    #: False: the probe has no verdict for this feature (never checked).
    probed: bool = True

    @property
    def fails(self) -> bool:
        return self.verdict in FAILING or not self.probed


@dataclass(frozen=True)
class Plan:
    items: tuple[Item, ...]
    #: Calls to endpoints no probe checks (files, images, audio, batches, assistants, ...).
    unchecked: tuple[Call, ...] = ()
    #: Calls passing values the scan could not read: they may use more than their items say.
    unread: tuple[Call, ...] = ()
    #: Model ids the code sends (proven ones), for the note that the probe checked another model.
    models: tuple[str, ...] = ()

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.CHANGES if any(item.fails for item in self.items) else ExitCode.OK


def build_plan(
    features: Mapping[str, Sequence[Place]],
    calls: Sequence[Call],
    verdicts: Mapping[str, ProbeVerdict],
    *,
    probe_name: str,
) -> Plan:
    """`features`: scan's feature -> sites; `verdicts`: the probe's, by feature name."""
    items = []
    for feature, sites in features.items():
        if not is_feature(feature):
            continue  # the scan's "unknown": listed as unread calls, not as an item
        found = verdicts.get(feature)
        if found is None:
            evidence = (
                f"not probed: {probe_name} has no verdict for {feature}; "
                f"probe it (migrate probe --only {feature} ...) before relying on it"
            )
            items.append(Item(feature, "unknown", evidence, tuple(sites), probed=False))
        else:
            items.append(Item(feature, found.verdict, found.evidence, tuple(sites)))
    unchecked = tuple(c for c in calls if not any(is_feature(f) for f in c.found.features))
    unread = tuple(c for c in calls if c.found.unread)
    models = tuple(dict.fromkeys(m for c in calls for m in c.found.models if m != "unknown"))
    return Plan(tuple(items), unchecked, unread, models)
