"""The one application API. The CLI, the app and the launcher call ``Engine`` and the
names below, and nothing else in ``core`` (a test walks the imports to keep it so).

``Engine(data_dir, writer=False, encoder=None, model_path=None)``, every public member:

Searching (any thread, each with its own connection)
  search(query, mode, k, filters)    files best first, each with its best passages
  best_sentences(results, query)     copies with each file's best sentence highlighted
  searcher()                         the calling thread's Searcher (benchmarks, tests)
  warm_up()                          load the weights now, not in the first search
  facets()                           types with counts and folders: the filters' choices
  file_text(path)                    a file's indexed text, as the duplicate view shows it
  unpack_member(archive, member)     one zip member in a private temporary folder (Open)
  Engine.message_file(path, n)       one e-mail as a private .eml for the mail program (static)
Reading the index
  stats()                            roots, counts and the first problems
  status()                           what ``desktop-search status`` prints
  pending()                          passages and files meaning search does not cover yet
  estimate(folders)                  files and passages indexing would add
  measure_speed()                    passages per second this machine embeds
  writable, model_path               whether this Engine writes; the active model's folder
Indexing (writer)
  add_root(folder, ...)              add a folder or change its rules; indexes nothing
  index(folders, ...)                add folders and sync them
  sync(folders, ...)                 phase 1: bring folders level with the disk
  embed_pending(...)                 phase 2: embed what has no vector yet, most useful first
  recognise_pending(...)             the OCR stage: read scans phase 1 left waiting (``scans``)
  ocr_pending()                      files waiting for OCR
  recognised_text(path)              a scan's cached recognised text (the preview)
  prioritize(paths)                  embed these files next (opened or previewed)
  apply_changes(batch)               what the folder watcher saw
  forget(path)                       drop a folder or file and its passages
  close()                            release the connections and the writer lock
Models (``models``)
  prepare_encoder()                  start the model's export now (phase 1 runs meanwhile)
  prepare_query_model()              export the active model once for reading processes
  model_backend()                    what runs the model here, in words ("onnx on cpu")
  follow_active_model()              a reader picks up a model another process switched to
  switch_model(model, ...)           re-embed everything for another model, then switch
Adapt (``adapting``)
  mine_pairs(...), adapt_plan(...)   training pairs from the library; what Adapt will cost
  adapt(options, ...)                mine, fine-tune, re-embed and switch
Related files and topics (``related``, ``topics``)
  related(path, k)                   files closest in meaning, each with its best pair
  topics()                           the cached topics: labels, sizes, central files
  topic_map()                        one point per file: map place, topic, sub-topic
  update_topics()                    (writer) bring the cached topic map level
Duplicates (``duplicates``)
  duplicates(level, ...)             near-duplicate passages or files, by kind
  ignore_duplicate(a, b)             never report these two again
Care, without a model (``care``; static)
  Engine.read_status(data_dir)       what ``status`` shows, read-only
  Engine.is_damaged(data_dir)        SQLite's quick_check, read-only
  Engine.repair(data_dir, ...)       move a damaged index aside, salvage, rebuild

The other names here are the API's vocabulary: the values it takes and returns, and the
helpers a surface needs to show them.
"""

from __future__ import annotations

from desktop_search.core.duplicates import (
    DEFAULT_MIN_CONTAINMENT,
    DEFAULT_THRESHOLD,
    LEVELS,
    MIN_THRESHOLD,
    Group,
    Member,
    ProgressText,
    Report,
)
from desktop_search.core.encode.model_folder import default_model_path
from desktop_search.core.encode.query_encoder import has_export
from desktop_search.core.extract.dispatch import HTML_SUFFIXES, PLAIN_SUFFIXES
from desktop_search.core.extract.ocr import IMAGE_SUFFIXES
from desktop_search.core.index.estimate import Estimate, format_duration, format_size
from desktop_search.core.index.scan import with_images
from desktop_search.core.index.watcher import FolderWatcher, WatchBatch
from desktop_search.core.search.highlight import render, snippet_window
from desktop_search.core.search.preview import PreviewRequest, passage_html
from desktop_search.core.search.query_filters import Typed, read_query
from desktop_search.core.search.searcher import MODES, FileResult, Filters, PassageHit
from desktop_search.core.search.searches import SavedSearch, Searches
from desktop_search.core.store.database import DamagedIndexError, is_damage, require_index
from desktop_search.core.store.datadir import resolve_data_dir

from .adapting import AdaptOptions, AdaptPlan, AdaptProgress
from .api import Engine
from .related import RelatedError
from .topics import MapPoint, TopicInfo

__all__ = [
    "DEFAULT_MIN_CONTAINMENT",
    "DEFAULT_THRESHOLD",
    "HTML_SUFFIXES",
    "IMAGE_SUFFIXES",
    "LEVELS",
    "MIN_THRESHOLD",
    "MODES",
    "PLAIN_SUFFIXES",
    "AdaptOptions",
    "AdaptPlan",
    "AdaptProgress",
    "DamagedIndexError",
    "Engine",
    "Estimate",
    "FileResult",
    "Filters",
    "FolderWatcher",
    "Group",
    "MapPoint",
    "Member",
    "PassageHit",
    "PreviewRequest",
    "ProgressText",
    "RelatedError",
    "Report",
    "SavedSearch",
    "Searches",
    "TopicInfo",
    "TrainConfig",
    "Typed",
    "WatchBatch",
    "check_output_folder",
    "default_model_path",
    "format_duration",
    "format_size",
    "has_export",
    "is_damage",
    "passage_html",
    "render",
    "require_index",
    "read_query",
    "resolve_data_dir",
    "snippet_window",
    "train_from_files",
    "with_images",
]

# Training without an index loads torch: these are imported on first use, so that a CLI
# or a reader that never trains does not pay for it.
_TRAINING = {
    "TrainConfig": "desktop_search.core.training",
    "check_output_folder": "desktop_search.core.training.run",
    "train_from_files": "desktop_search.core.training.run",
}


def __getattr__(name: str):
    if name in _TRAINING:
        import importlib

        return getattr(importlib.import_module(_TRAINING[name]), name)
    raise AttributeError(name)
