"""Recent and saved searches in the data folder: private, shared by the app and the CLI."""

from __future__ import annotations

import os
import stat

import pytest

from desktop_search.core.errors import SearchError
from desktop_search.core.search.filters import Filters
from desktop_search.core.search.searches import MAX_RECENT, SavedSearch, Searches


def test_recent_queries_come_newest_first_once_each_and_clear(tmp_path):
    s = Searches(tmp_path)
    for q in ["tax", "rent", "tax", " ", *(f"q{i}" for i in range(30))]:
        s.remember(q)
    assert s.recent()[:2] == ["q29", "q28"] and len(s.recent()) == MAX_RECENT
    s.remember("rent")
    assert s.recent()[0] == "rent" and s.recent().count("rent") == 1
    assert stat.S_IMODE(os.stat(s.path).st_mode) == 0o600
    s.clear_recent()
    assert s.recent() == []


def test_saved_searches_keep_query_mode_and_filters_with_exact_folder_bytes(tmp_path):
    s = Searches(tmp_path)
    odd = os.fsdecode(b"/data/Caf\xe9")
    f = Filters(folder=odd, types=("pdf",), after=1.5, not_in=("/x",), larger_than=10)
    s.save(SavedSearch("taxes", "tax return", "keyword", f))
    s.save(SavedSearch("bread", "sourdough"))
    s.save(SavedSearch("taxes", "tax return 2024", "keyword", f))  # replaced, not doubled
    assert [x.name for x in s.saved()] == ["bread", "taxes"]
    got = Searches(tmp_path).get("taxes")
    assert (got.query, got.mode, got.filters) == ("tax return 2024", "keyword", f)
    assert os.fsencode(got.filters.folder) == b"/data/Caf\xe9"
    with pytest.raises(SearchError, match="saved: bread, taxes"):
        s.get("nope")
    s.delete("bread")
    assert [x.name for x in s.saved()] == ["taxes"]
