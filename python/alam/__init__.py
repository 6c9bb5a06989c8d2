"""alam: people, countries, organizations and cities in Arabic and English news.

The work is done in Rust (the ``alam`` crate); this package is a thin layer
over it. Every call that processes text releases the GIL and runs on Rust
threads; results come back in input order.

>>> import alam
>>> p = alam.Pipeline()
>>> text = "وصل لافروف إلى بكين"
>>> [m["entity_id"] for m in p.extract(text)]  # doctest: +SKIP
['person:sergey-lavrov', 'city:beijing']
>>> m = p.extract(text)[-1]
>>> text[m["start"]:m["end"]] == m["surface"]
True

pandas is optional: ``mentions_frame``, ``entities_frame`` and ``pairs_frame``
import it only when called.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

from ._alam import ENTITY_FIELDS, MENTION_FIELDS, PAIR_FIELDS, AlamError, __version__
from ._alam import Pipeline as _NativePipeline
from ._alam import run as _native_run

__all__ = [
    "AlamError",
    "Pipeline",
    "run",
    "mentions_frame",
    "entities_frame",
    "pairs_frame",
    "__version__",
]

#: How many texts extract_many hands to Rust at a time when it shows progress.
PROGRESS_CHUNK = 2000


def _progress_bar(progress: Any, total: Optional[int]):
    """A tqdm bar for ``progress=True``, or the object given (anything with
    ``update(n)``), or None."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError as e:  # pragma: no cover - depends on the machine
            raise ImportError("progress=True needs tqdm: pip install tqdm") from e
        return tqdm(total=total, unit="doc")
    return progress


class Pipeline:
    """A gazetteer and the matcher built from it (and discovery, by default).

    ``gazetteer``: a folder of gazetteer CSV files instead of the built-in
    lists (``alam extract -g``). ``add``: folders added after it
    (``--add-gazetteer``). ``discover``: ``"on"`` (default), ``"high"`` or
    ``"off"``: whether to find people and organizations no list holds.
    ``fuzzy``: also find a name misspelled by one letter (``--fuzzy``).
    Raises AlamError (with ``file:line: reason`` lines) on a broken gazetteer.
    """

    def __init__(
        self,
        gazetteer: Optional[str] = None,
        add: Sequence[str] = (),
        discover: str = "on",
        fuzzy: bool = False,
    ) -> None:
        self._native = _NativePipeline(
            None if gazetteer is None else str(gazetteer),
            [str(a) for a in add],
            discover,
            bool(fuzzy),
        )

    @property
    def discover(self) -> str:
        """The discovery mode: "off", "high" or "on"."""
        return self._native.discover

    @property
    def fuzzy(self) -> bool:
        """Whether names misspelled by one letter are found (``--fuzzy``)."""
        return self._native.fuzzy

    @property
    def gazetteer_hash(self) -> str:
        """The gazetteer's content hash, as summary.json records it."""
        return self._native.gazetteer_hash

    def extract(self, text: str, id: Optional[str] = None) -> List[Dict[str, Any]]:
        """The mentions in ``text``: dicts with every field of mentions.jsonl
        (``entity_id``, ``type``, ``name``, ``surface``, ``start``, ``end``,
        ``byte_start``, ``byte_end``, ``sentence``, ``paragraph``, ``form``,
        ``ambiguous``, ``prefix``, ``alternatives``, ``rule``) and ``source``.
        ``start``/``end`` are Python string indexes:
        ``text[m["start"]:m["end"]] == m["surface"]``."""
        if not isinstance(text, str):
            raise TypeError(f"text: expected str, got {type(text).__name__}")
        return self._native.extract(text, id)

    def extract_many(
        self,
        texts: Iterable[str],
        ids: Optional[Iterable[Any]] = None,
        threads: Optional[int] = None,
        progress: Any = None,
    ) -> List[List[Dict[str, Any]]]:
        """The mentions of every text (a list per text, in input order), on
        ``threads`` Rust threads (default: the number of cores) with the GIL
        released. ``texts``: any iterable of str (a list, a pandas Series).
        ``ids``: only used by ``mentions_frame``; default the positions.
        ``progress=True`` shows a tqdm bar (or pass anything with ``update``).
        A text that is not a str raises TypeError naming its position."""
        bar = _progress_bar(progress, _length(texts))
        if bar is None:
            return self._native.extract_many(texts, None, threads)
        out: List[List[Dict[str, Any]]] = []
        chunk: List[Any] = []
        for t in texts:
            chunk.append(t)
            if len(chunk) >= PROGRESS_CHUNK:
                out.extend(self._extract_chunk(chunk, len(out), threads))
                bar.update(len(chunk))
                chunk = []
        if chunk:
            out.extend(self._extract_chunk(chunk, len(out), threads))
            bar.update(len(chunk))
        if hasattr(bar, "close"):
            bar.close()
        return out

    def _extract_chunk(self, chunk, offset, threads):
        try:
            return self._native.extract_many(chunk, None, threads)
        except TypeError as e:
            # Name the position in the whole input, not in the chunk.
            msg = str(e)
            if msg.startswith("texts["):
                i = int(msg[6 : msg.index("]")])
                msg = f"texts[{i + offset}]" + msg[msg.index("]") + 1 :]
            raise TypeError(msg) from None

    def cooccurrence(
        self,
        texts: Iterable[str],
        ids: Optional[Iterable[Any]] = None,
        window: str = "sentence",
        min_count: int = 1,
        threads: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The entity and pair tables of a collection, as ``alam extract``
        counts them: ``{"entities": [...], "pairs": [...], "documents": n,
        "windows": n}``. Entities: entity_id, type, name, name_ar, mentions,
        documents, windows, source. Pairs (most windows first): source_id,
        source_name, source_type, target_id, target_name, target_type,
        windows, documents, npmi, relations, directed (the relation hints of
        the built-in trigger lists, as in cooccurrence.csv: ``meet:2|visit:1``
        and ``visit>:1``; empty for none). ``window``: sentence, paragraph or
        document. Pairs in fewer than ``min_count`` windows are left out."""
        return self._native.cooccurrence(texts, ids, window, min_count, threads)


def _length(texts: Any) -> Optional[int]:
    try:
        return len(texts)
    except TypeError:
        return None


def run(
    inputs: Union[str, Sequence[str]],
    output: str = "output",
    *,
    formats: str = "csv,json",
    gazetteer: Optional[str] = None,
    add: Sequence[str] = (),
    discover: str = "on",
    window: str = "sentence",
    threads: Optional[int] = None,
    text_field: Union[str, Sequence[str]] = "text",
    id_field: str = "id",
    min_count: int = 1,
    excel: bool = False,
    strict: bool = False,
    progress: Union[bool, Callable[[int, int], Any], None] = None,
    date_field: Optional[str] = None,
    bucket: Optional[str] = None,
    fuzzy: bool = False,
) -> Dict[str, Any]:
    """What ``alam extract INPUTS -o OUTPUT`` does, with the same files.

    ``inputs``: files or folders (``.txt``, ``.jsonl``, ``.csv`` and their
    ``.gz`` forms). ``text_field``: a field or a list of fields (joined with
    a blank line). Returns the summary: documents, errors, warnings, mentions,
    entities, pairs, windows, chars, and the records' ``messages``
    (``file:line: reason``; at most 1,000 listed, ``messages_not_listed``
    counts the rest; all are in documents.csv). ``progress``: True for a tqdm
    bar, or a function called with (documents, bytes) every 1,000 records.
    Raises AlamError on a broken gazetteer, an unwritable folder, a strict
    stop, or when no input could be read. ``date_field`` and ``bucket``
    (``day``, ``week`` or ``month``, the default) are ``--date-field`` and
    ``--bucket``: the tables by period too (periods.csv,
    entities_by_period.csv, cooccurrence_by_period.csv). ``fuzzy`` is
    ``--fuzzy``: names misspelled by one letter too."""
    if isinstance(inputs, str):
        inputs = [inputs]
    if isinstance(text_field, str):
        text_field = [f for f in text_field.split(",") if f]
    callback = progress
    bar = None
    if progress is True:
        bar = _progress_bar(True, None)

        def callback(documents: int, _bytes: int, _last=[0]) -> None:
            bar.update(documents - _last[0])
            _last[0] = documents

    try:
        return _native_run(
            [str(i) for i in inputs],
            str(output),
            formats=formats,
            gazetteer=None if gazetteer is None else str(gazetteer),
            add=[str(a) for a in add],
            discover=discover,
            window=window,
            threads=threads,
            text_field=list(text_field),
            id_field=id_field,
            min_count=min_count,
            excel=excel,
            strict=strict,
            progress=callback if callback not in (None, False) else None,
            date_field=date_field,
            bucket=bucket,
            fuzzy=bool(fuzzy),
        )
    finally:
        if bar is not None:
            bar.close()


def _pandas():
    try:
        import pandas
    except ImportError as e:
        raise ImportError("this helper needs pandas: pip install pandas") from e
    return pandas


#: The columns of ``mentions_frame``: the doc id, then the mention's fields.
MENTION_COLUMNS = ["doc_id", *MENTION_FIELDS]


def mentions_frame(results: Sequence[Sequence[Dict[str, Any]]], ids: Optional[Iterable[Any]] = None):
    """A DataFrame of the mentions ``extract_many`` returned, one row per
    mention with its ``doc_id`` (``ids``, or the position of the text).
    ``alternatives`` is joined with ``|`` as in mentions.csv."""
    pd = _pandas()
    ids = list(range(len(results))) if ids is None else list(ids)
    if len(ids) != len(results):
        raise ValueError(f"{len(ids)} ids for {len(results)} results")
    rows = []
    for doc_id, mentions in zip(ids, results):
        for m in mentions:
            row = dict(m)
            row["doc_id"] = doc_id
            row["alternatives"] = "|".join(m["alternatives"])
            rows.append(row)
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    for col in ["start", "end", "byte_start", "byte_end", "sentence", "paragraph"]:
        frame[col] = frame[col].astype("int64")
    frame["ambiguous"] = frame["ambiguous"].astype(bool)
    return frame


#: The columns of ``entities_frame`` and ``pairs_frame`` (those of
#: cooccurrence.csv), as the native module names the dict keys.
ENTITY_COLUMNS = list(ENTITY_FIELDS)
PAIR_COLUMNS = list(PAIR_FIELDS)


def entities_frame(tables: Dict[str, Any]):
    """A DataFrame of ``cooccurrence(...)["entities"]`` (most mentions first)."""
    pd = _pandas()
    frame = pd.DataFrame(tables["entities"], columns=ENTITY_COLUMNS)
    for col in ["mentions", "documents", "windows"]:
        frame[col] = frame[col].astype("int64")
    return frame


def pairs_frame(tables: Dict[str, Any]):
    """A DataFrame of ``cooccurrence(...)["pairs"]`` (most windows first),
    with ``npmi`` as float64."""
    pd = _pandas()
    frame = pd.DataFrame(tables["pairs"], columns=PAIR_COLUMNS)
    for col in ["windows", "documents"]:
        frame[col] = frame[col].astype("int64")
    frame["npmi"] = frame["npmi"].astype("float64")
    return frame
