"""A console person's saved views: the filters of a list page (the queue or the search) kept
under a name the person chose. A view belongs to one person and one page; a name is unique
there (saving under a name already used replaces its filters); a person keeps at most
MAX_VIEWS of them. The filters are the page's query string, re-encoded, without a cursor."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from customs.domain.errors import Invalid

PAGES = ("queue", "search")
MAX_VIEWS = 50
MAX_NAME = 60
MAX_QUERY = 2000
NOT_KEPT = ("cursor", "csrf_token")


def view_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise Invalid("VIEW_NAME", f"a view's name has 1 to {MAX_NAME} characters")
    return cleaned


def view_page(page: str) -> str:
    if page not in PAGES:
        raise Invalid("VIEW_PAGE", f"a view is of one of the pages {', '.join(PAGES)}")
    return page


def view_query(query: str) -> str:
    """The filters as a query string: parsed and re-encoded (nothing but names and values),
    empty values and the cursor dropped."""
    pairs = [(k, v) for k, v in parse_qsl(query[:MAX_QUERY * 2], keep_blank_values=False)
             if k not in NOT_KEPT]
    encoded = urlencode(pairs)
    if len(encoded) > MAX_QUERY:
        raise Invalid("VIEW_QUERY", f"a view's filters take at most {MAX_QUERY} characters")
    return encoded
