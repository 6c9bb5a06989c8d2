"""Type stubs of the native module (the public API is in alam/__init__.py)."""

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

__version__: str
MENTION_FIELDS: List[str]
ENTITY_FIELDS: List[str]
PAIR_FIELDS: List[str]

class AlamError(Exception):
    """An error from alam, with the ``file:line: reason`` message the command line prints."""

class Pipeline:
    def __init__(
        self,
        gazetteer: Optional[str] = None,
        add: Sequence[str] = ...,
        discover: str = "on",
        fuzzy: bool = False,
    ) -> None: ...
    @property
    def discover(self) -> str: ...
    @property
    def fuzzy(self) -> bool: ...
    @property
    def gazetteer_hash(self) -> str: ...
    def extract(self, text: str, id: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def extract_many(
        self, texts: Iterable[str], ids: Optional[Iterable[Any]] = None, threads: Optional[int] = None
    ) -> List[List[Dict[str, Any]]]: ...
    def cooccurrence(
        self,
        texts: Iterable[str],
        ids: Optional[Iterable[Any]] = None,
        window: str = "sentence",
        min_count: int = 1,
        threads: Optional[int] = None,
    ) -> Dict[str, Any]: ...

def run(
    inputs: Sequence[str],
    output: str = "output",
    *,
    formats: str = "csv,json",
    gazetteer: Optional[str] = None,
    add: Sequence[str] = ...,
    discover: str = "on",
    window: str = "sentence",
    threads: Optional[int] = None,
    text_field: Sequence[str] = ...,
    id_field: str = "id",
    min_count: int = 1,
    excel: bool = False,
    strict: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
    fuzzy: bool = False,
    date_field: Optional[str] = None,
    bucket: Optional[str] = None,
) -> Dict[str, Any]: ...
