"""Similar-idea search: "is there an idea like mine already?" while a participant types a title.

Offline and language-agnostic enough for German and English: TF-IDF over words (with a small
German + English stop word list) and over character 3–5-grams within words (as scikit-learn's
`char_wb`), so that compounds and inflections meet ("Radweg" ~ "Radwegbreite", "Fahrradständer"
~ "Fahrradstaender"). Both parts are L2-normalized, stacked side by side and normalized again: a
score is the mean of the word cosine and the character cosine, in [0, 1]. Texts are folded first
(lowercase, ß→ss, diacritics stripped).

The weights are scikit-learn's TF-IDF (smoothed idf, sublinear tf), computed here with numpy and
scipy instead of two `TfidfVectorizer`s: character n-grams are cut once per distinct word of the
edition and summed per idea through a sparse product (words × n-grams), which builds the index of
2,000 ideas about three times faster than `char_wb`; and importing scikit-learn costs a second.

The fitted index of an edition lives in process memory (an LRU of `CACHE_SIZE` editions) and is
keyed by a fingerprint of the edition's ideas taken with ONE aggregate query per call. Any write
that changes what the index would contain changes the fingerprint:

- a new idea: count and max(id);  a deleted idea: count (and max(id) if one is added meanwhile);
- an edit: max(updated_at) — the services set `updated_at` on every text change;
- hiding / unhiding: max(hidden_at), the number of hidden ideas, and the id sum of the eligible ones;
- merging: the number of merged ideas and the id sum of the eligible ones.

A write that bypasses the services and changes title/body without touching `updated_at` is not
seen until the next change of the edition's ideas.

Each server process keeps its own cache; the fingerprint comes from the database, so processes
never serve an index older than one call.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Substr

from helpathon.ideas.models import Idea

CACHE_SIZE = 32
# Only the beginning of a long description counts: the gist is there, and it bounds build time
# and memory. Character n-grams (for compounds and spelling variants) see the title and the
# first sentences only: a typed title is what they are compared with.
BODY_CHARS = 2_000
CHAR_BODY_CHARS = 300
NGRAM_MIN, NGRAM_MAX = 3, 5
MAX_QUERY_CHARS = 2_000
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 1.0

# Function words that say nothing about an idea, German and English, plus the filler words of
# idea titles ("mehr", "bessere", "idea"). Written unfolded; folded like the texts below.
_STOP_WORDS_RAW = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus
bei beim bin bis bist da damit dann das dass dein deine dem den denn der des dessen deshalb die dies diese
diesem diesen dieser dieses doch dort du durch ein eine einem einen einer eines er es etwas euch euer eure
für gegen gibt hat hatte haben hier hin hinter ich ihr ihre im in indem ins ist ja jede jedem jeden jeder
jedes jetzt kann kein keine können könnte man manche mehr mein meine mit muss müssen nach nicht nichts noch
nun nur ob oder ohne per schon sehr sein seine sich sie sind so soll sollen sollte sowie über um und uns
unser unsere unter viel viele vom von vor wann war waren warum was weil welche wenn wer werden wie wir wird
wo wollen würde zu zum zur zwischen neue neuen neuer neues bessere besseren besserer idee ideen
a about above after again all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here
hers him his how i if in into is it its itself just let me more most my no nor not now of off on once only
or other our ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which while who whom
why will with would you your yours new better idea ideas
"""

_WORD_RE = re.compile(r"[^\W_]{2,}")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lowercase, fold ß to ss and strip diacritics (ä→a), so spelling variants meet."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


STOP_WORDS = frozenset(fold(w) for w in _STOP_WORDS_RAW.split())


def words(text: str) -> list[str]:
    """The content words of a text, folded, in order (stop words and 1-letter words dropped)."""
    return [w for w in _WORD_RE.findall(fold(text)) if w not in STOP_WORDS]


def char_ngrams(word: str) -> list[str]:
    """Character 3- to 5-grams of a word padded with spaces (as scikit-learn's `char_wb`)."""
    padded = f" {word} "
    size = len(padded)
    grams = []
    for n in range(NGRAM_MIN, NGRAM_MAX + 1):
        if size <= n:
            grams.append(padded)
            break
        grams.extend(padded[i:i + n] for i in range(size - n + 1))
    return grams


@dataclass(frozen=True)
class IdeaTokens:
    """An idea as the index sees it: the words of its title, counted twice, and of its description
    (its first BODY_CHARS for words, its first CHAR_BODY_CHARS for character n-grams)."""

    word_tokens: list[str]
    char_tokens: list[str]

    @classmethod
    def of(cls, title: str, body: str) -> IdeaTokens:
        title_words = words(title or "")
        body = body or ""
        return cls(
            word_tokens=title_words * 2 + words(body[:BODY_CHARS]),
            char_tokens=title_words * 2 + words(body[:CHAR_BODY_CHARS]),
        )


def _counts(rows: list[list[str]], vocabulary: dict[str, int], grow: bool) -> sp.csr_matrix:
    """Count matrix of token lists; unknown tokens are added (grow) or skipped."""
    indptr, indices = [0], []
    for tokens in rows:
        for token in tokens:
            col = vocabulary.get(token)
            if col is None:
                if not grow:
                    continue
                col = vocabulary[token] = len(vocabulary)
            indices.append(col)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    matrix = sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), max(len(vocabulary), 1)),
    )
    matrix.sum_duplicates()  # repeated tokens in a row become counts
    return matrix


def _normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale each row of a CSR matrix to unit L2 norm, in place (all-zero rows stay zero)."""
    squares = matrix.multiply(matrix).sum(axis=1).A.ravel()
    norms = np.sqrt(squares, dtype=np.float64)
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(matrix.dtype)
    return matrix


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log tf) times idf, rows L2-normalized."""
    weighted = counts.copy()
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    return _normalize_rows(weighted)


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


@dataclass(frozen=True)
class SimilarityIndex:
    """TF-IDF over words and over character n-grams of an edition's ideas.

    Character n-grams are counted per distinct word and summed over a text's words (a sparse
    product words × n-grams), so each word is cut into n-grams once per build, not once per
    occurrence; the result equals `char_wb` counts."""

    ids: np.ndarray  # int64, one per row of `matrix`
    matrix: sp.csr_matrix  # [word part * WORD_WEIGHT | char part * CHAR_WEIGHT], rows L2-normalized
    word_vocabulary: dict[str, int]
    ngram_vocabulary: dict[str, int]
    word_idf: np.ndarray
    ngram_idf: np.ndarray

    @classmethod
    def build(cls, ids: list[int], ideas: list[IdeaTokens]) -> SimilarityIndex | None:
        word_vocabulary: dict[str, int] = {}
        word_counts = _counts([i.word_tokens for i in ideas], word_vocabulary, grow=True)
        if not word_vocabulary:
            return None
        char_word_counts = _counts([i.char_tokens for i in ideas], word_vocabulary, grow=False)
        # The n-grams of every word of the vocabulary, once: words × n-grams.
        ngram_vocabulary: dict[str, int] = {}
        words_by_col = sorted(word_vocabulary, key=word_vocabulary.get)
        word_ngrams = _counts([char_ngrams(w) for w in words_by_col], ngram_vocabulary, grow=True)
        word_ngrams.resize((char_word_counts.shape[1], word_ngrams.shape[1]))
        ngram_counts = (char_word_counts @ word_ngrams).tocsr()
        # Only n-grams the char texts use; keeps the vocabulary and the matrix small.
        used = np.unique(ngram_counts.indices)
        ngram_counts = ngram_counts[:, used]
        ngrams_by_col = np.array(sorted(ngram_vocabulary, key=ngram_vocabulary.get), dtype=object)
        ngram_vocabulary = {g: i for i, g in enumerate(ngrams_by_col[used])}
        word_idf, ngram_idf = _idf(word_counts), _idf(ngram_counts)
        matrix = sp.hstack(
            [_tfidf(word_counts, word_idf) * WORD_WEIGHT, _tfidf(ngram_counts, ngram_idf) * CHAR_WEIGHT],
            format="csr", dtype=np.float32,
        )
        matrix = _normalize_rows(matrix)
        return cls(np.asarray(ids, dtype=np.int64), matrix, word_vocabulary, ngram_vocabulary, word_idf, ngram_idf)

    def vector(self, text: str) -> np.ndarray:
        """The text as a dense, L2-normalized vector in the index's feature space (zero if it
        shares no word or n-gram with the edition's ideas)."""
        tokens = words(text)
        grams = [g for w in tokens for g in char_ngrams(w)]
        n_words = len(self.word_idf)
        vector = np.zeros(self.matrix.shape[1], dtype=np.float32)
        for offset, weight, vocabulary, idf, items in (
            (0, WORD_WEIGHT, self.word_vocabulary, self.word_idf, tokens),
            (n_words, CHAR_WEIGHT, self.ngram_vocabulary, self.ngram_idf, grams),
        ):
            cols = np.fromiter((c for c in map(vocabulary.get, items) if c is not None), dtype=np.int64)
            if not cols.size:
                continue
            cols, tf = np.unique(cols, return_counts=True)
            part = (1.0 + np.log(tf)) * idf[cols]
            vector[offset + cols] = weight * part / np.linalg.norm(part)
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def query(
        self, text: str, *, limit: int, exclude_id: int | None = None, min_score: float = 0.0
    ) -> list[tuple[int, float]]:
        query = self.vector(text)
        if not query.any():
            return []
        scores = self.matrix @ query
        if exclude_id is not None:
            scores[self.ids == exclude_id] = -1.0
        candidates = np.flatnonzero(scores >= max(min_score, 1e-6))
        if candidates.size == 0:
            return []
        if candidates.size > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        # Best first; equal scores: the older idea first, so that people join the original.
        order = np.lexsort((self.ids[candidates], -scores[candidates]))
        return [(int(self.ids[i]), round(float(scores[i]), 4)) for i in candidates[order]]

    @property
    def nbytes(self) -> int:
        m = self.matrix
        return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes


# --- the per-edition cache ------------------------------------------------------------------------

_cache: OrderedDict[int, tuple[tuple, SimilarityIndex | None]] = OrderedDict()
_cache_lock = threading.Lock()
_build_locks: dict[int, threading.Lock] = {}

_ELIGIBLE = Q(hidden_at__isnull=True) & ~Q(status=Idea.Status.MERGED)


def _eligible(edition_id: int):
    return Idea.objects.filter(edition_id=edition_id).filter(_ELIGIBLE)


def fingerprint(edition_id: int) -> tuple:
    """One aggregate query over the edition's ideas; changes whenever the index would."""
    row = Idea.objects.filter(edition_id=edition_id).aggregate(
        n=Count("id"),
        max_id=Max("id"),
        updated=Max("updated_at"),
        hidden_n=Count("id", filter=Q(hidden_at__isnull=False)),
        hidden_max=Max("hidden_at"),
        merged_n=Count("id", filter=Q(status=Idea.Status.MERGED)),
        eligible_n=Count("id", filter=_ELIGIBLE),
        eligible_sum=Sum("id", filter=_ELIGIBLE),
    )
    return tuple(row[k] for k in (
        "n", "max_id", "updated", "hidden_n", "hidden_max", "merged_n", "eligible_n", "eligible_sum"))


def _build(edition_id: int) -> SimilarityIndex | None:
    rows = list(
        _eligible(edition_id).order_by("pk").annotate(body_start=Substr("body", 1, BODY_CHARS))
        .values_list("pk", "title", "body_start")
    )
    if not rows:
        return None
    return SimilarityIndex.build([r[0] for r in rows], [IdeaTokens.of(r[1], r[2]) for r in rows])


def index_for(edition_id: int, key: tuple | None = None) -> SimilarityIndex | None:
    """The edition's index: from the cache if its fingerprint still matches, else rebuilt."""
    key = fingerprint(edition_id) if key is None else key
    with _cache_lock:
        entry = _cache.get(edition_id)
        if entry is not None and entry[0] == key:
            _cache.move_to_end(edition_id)
            return entry[1]
        build_lock = _build_locks.setdefault(edition_id, threading.Lock())
    # One build per edition at a time; other editions are not held up.
    with build_lock:
        with _cache_lock:
            entry = _cache.get(edition_id)
            if entry is not None and entry[0] == key:
                return entry[1]
        # If ideas change between the fingerprint and this read, the index is newer than its
        # key, and the next call rebuilds: never stale by more than one call.
        index = _build(edition_id)
        with _cache_lock:
            _cache[edition_id] = (key, index)
            _cache.move_to_end(edition_id)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return index


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def similar_ideas(
    edition_id: int, text: str, *, limit: int = 5, exclude_id: int | None = None, min_score: float = 0.15
) -> list[tuple[int, float]]:
    """The visible, not merged ideas of the edition most similar to `text`, as (idea_id, score)
    pairs, best first, with score in [0, 1] and at least `min_score`.

    One query when the edition's index is cached, two when it is (re)built; none for empty text.
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    if limit <= 0 or not words(text):
        return []
    key = fingerprint(edition_id)
    if not key[6]:  # no eligible ideas
        return []
    index = index_for(edition_id, key)
    if index is None:
        return []
    return index.query(text, limit=limit, exclude_id=exclude_id, min_score=min_score)
