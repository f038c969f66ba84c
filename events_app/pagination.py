"""One page of a long list: which slice it shows, clamped to the pages there are.

Shared by the operator's registration list and a message's recipient list, which page the same way:
`?page=N`, anything but a number is the first page, a number out of range the nearest page."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil


def page_asked(args) -> int:
    """The `page` query parameter; anything but a number is the first page (`Page.of` clamps)."""
    try:
        return int(args.get("page", "1"))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, always within 1..pages
    pages: int   # at least 1, even when nothing matches
    total: int   # rows matching, over all pages
    size: int    # rows per page

    @classmethod
    def of(cls, asked: int, *, total: int, size: int) -> Page:
        pages = max(1, ceil(total / size))
        return cls(number=min(max(asked, 1), pages), pages=pages, total=total, size=size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The position of the page's first row (1-based); 0 when the page is empty."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.size, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages
