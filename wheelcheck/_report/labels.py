"""How the human report names targets: a column header, a short name, a set of targets."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from wheelcheck._advise.estimate import arch_label
from wheelcheck.models import Target

__all__ = ["group_label", "short_labels", "target_label"]


def target_label(target: Target) -> str:
    """A column header: ``3.12-alpine amd64`` for images, the spec otherwise."""
    if target.image:
        # Only a python image's tag is short and unambiguous; other bases keep their name.
        python_image = target.variant is not None and ":" in target.image
        tag = target.image.split(":", 1)[1] if python_image else target.image
        if target.free_threaded:
            tag = tag.replace(target.python.rstrip("t"), target.python, 1)
        return f"{tag} {arch_label(target)}"
    return target.id


def short_labels(targets: Sequence[Target]) -> dict[str, str]:
    """Per target id, ``alpine amd64`` (image family and architecture) when those tell the
    targets apart; `target_label` otherwise (say, two Python versions of one family)."""
    short = {
        t.id: f"{t.variant} {arch_label(t)}" if t.image and t.variant else target_label(t)
        for t in targets
    }
    if len(set(short.values())) < len(short):
        return {t.id: target_label(t) for t in targets}
    return short


def group_label(ids: Collection[str], labels: Mapping[str, str]) -> str:
    """``all targets``, or ``alpine amd64+arm64, slim amd64``: `ids` by family, in the order
    of `labels` (every target id of the report)."""
    if set(labels) <= set(ids):
        return "all targets"
    families: dict[str, list[str]] = {}
    for target_id, label in labels.items():
        if target_id in ids:
            family, _, arch = label.rpartition(" ")
            families.setdefault(family or label, []).append(arch if family else "")
    return ", ".join(
        f"{family} {'+'.join(arches)}" if all(arches) else family
        for family, arches in families.items()
    )
