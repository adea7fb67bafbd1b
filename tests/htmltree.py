"""A small tree of an HTML page for tests, built with the standard library's parser.

Enough to ask what a reader sees: the elements in order, their attributes and their text.
Parsing fails on an end tag that closes nothing, so a test also learns the page is well
nested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Self

VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "source", "wbr"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed, as a browser shows it."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join("".join(parts).split())

    def iter(self) -> list[Node]:
        """This node and every element under it, in document order."""
        found = [self]
        for child in self.children:
            if isinstance(child, Node):
                found += child.iter()
        return found

    def find_all(self, tag: str) -> list[Node]:
        return [node for node in self.iter() if node.tag == tag]

    def first(self, tag: str) -> Node:
        return self.find_all(tag)[0]

    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    @classmethod
    def parse(cls, document: str) -> Self:
        builder = _Builder(cls("#document", {}))
        builder.feed(document)
        builder.close()
        assert len(builder.open) == 1, f"unclosed: {[n.tag for n in builder.open[1:]]}"
        return builder.open[0]  # type: ignore[return-value]


class _Builder(HTMLParser):
    def __init__(self, root: Node) -> None:
        super().__init__(convert_charrefs=True)
        self.open = [root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)
