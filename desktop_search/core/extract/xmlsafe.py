"""The one way zip-based formats parse their XML: lxml with entities, DTDs and network off.

``iterparse`` streams a part (elements are freed with ``free`` as soon as their text is
taken, so the tree never grows); ``parse_small`` reads a small part (a manifest, a
relationships list) whole, after its size was checked.
"""

from __future__ import annotations

from typing import IO

from lxml import etree

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def iterparse(stream: IO[bytes], events=("start", "end")):
    return etree.iterparse(
        stream,
        events=events,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,  # our own caps bound the text, not libxml2's
    )


def parse_small(data: bytes):
    return etree.fromstring(data, SAFE_PARSER)


def local(tag) -> tuple[str, str]:
    """(namespace, local name) of an element's tag; ("", "") for comments and the like."""
    if not isinstance(tag, str):
        return "", ""
    ns, _, name = tag.rpartition("}")
    return ns[1:], name


def free(elem) -> None:
    """Drop a finished element and the siblings before it: the tree never grows."""
    elem.clear(keep_tail=True)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]
