"""Automatic themes for an edition's ideas: pure functions, no Django.

`compute_themes(documents)` groups short ideas (German, English or mixed) into themes and names
each theme with a few readable keywords ("Ampel · grün · rot"). It is meant to run in the
background whenever the ideas change, never per request. scikit-learn is imported lazily, on the
first call, so importing this module costs nothing.

How it works
------------
1. **Tokens.** Texts are NFC-normalized and cut into words of letters. Each document is guessed
   German or English from its function words (ties fall back to `language_hint`); stop words of
   both languages are removed, except that a few German function words that are English content
   words ("bin", "hat", "war", "man", "die", …) are only removed from German documents. Exact
   duplicates (same words after this step) are clustered once, with their count as weight.
2. **Features.** Two TF-IDF views (sublinear tf; `min_df=2`, `max_df=0.5` from 20 documents on):
   word unigrams, and character 3–5-grams inside words (`char_wb`) of the same stop-word-free
   text, so that German compounds and inflections meet ("Radweg", "Radwege", "Radwegbreite",
   "Fahrradständer", "Abstellplätze"). The views are stacked with weights 0.3 (words) and 0.7
   (characters) on their squared norms.
3. **LSA + k-means.** TruncatedSVD to 100 dimensions (fewer for small corpora), rows
   L2-normalized (so Euclidean k-means behaves like spherical, cosine k-means), then KMeans with
   `n_init=30`.
4. **Labels.** Class-based TF-IDF (the idea of BERTopic's c-TF-IDF: treat each theme as one big
   document and weigh its terms against the whole corpus; written here from scratch). For a term
   t and a theme c, with ``p(t|c) = df(t, c) / |c|`` (the share of the theme's documents that
   contain t) and ``p(t) = df(t) / N`` over all N documents::

       score(t, c) = p(t|c) * log(p(t|c) / p(t))

   a frequency in the class times an inverse corpus frequency — here the class's own lift, i.e.
   the term's part in the KL divergence of the theme from the corpus. With one theme the score
   is the share alone. BERTopic's milder weight ``log(1 + A / f(t))`` left the domain's everyday
   words on top ("Radfahrer · Straße · Radweg" for half of the Bonn themes), and a plain
   ``log(N / df(t))`` preferred rarer words over the word that every idea of the theme uses
   ("Grün · Radfahrer" instead of "Ampel · Kreuzung"). Terms are word unigrams (3+ letters) and
   bigrams of adjacent content words, found in at least 2 of the theme's documents; inflected
   forms are pooled under a light suffix-stripped key and shown in their most frequent spelling
   ("Fahrradständer", not "fahrradstand"). The label joins the best 3 keywords that do not
   overlap (no shared word, no word inside another as in "Ampel" / "Ampelschaltung"), at most 4
   words. Each distinct text counts once here, so a pasted idea repeated 50 times does not name
   its theme alone.
5. **Other.** Documents without any usable word (e.g. "???" or only stop words) go to one
   "other" theme (``is_other=True``, label "Sonstiges" or "Other" by `language_hint`), listed
   last. Every document is in exactly one theme; themes are ordered by size.

Choosing the number of themes (``n_themes=None``)
-------------------------------------------------
First an upper bound from the corpus size: ``k_max = round(2 * log10(n) + 2)`` for n distinct
documents, clamped to ``[2, 12]`` and to at most ``n // 4`` (about four ideas per theme or
more); with fewer than 8 distinct documents there is one theme. That is 1 for up to 7 ideas, 2
for 8–11, 5 for 30, 7 for 300, 9 for the 2,314 Bonn ideas (which people sorted into 8
categories) and 10 for 10,000. Then k = 2 … k_max are tried (k-means with 3 inits) and scored by
the silhouette (Euclidean on the unit-length LSA vectors; both on a sample of at most 2,000
documents). Only if the data has clearly separated groups — the best silhouette is at least
`CLEAR_SILHOUETTE` (0.2) — is that best k taken; otherwise k_max is. Real idea collections have
no such structure (Bonn: silhouettes 0.02–0.04, rising with k, so an argmax would always say "as
many as allowed", and on samples of it the argmax jumps about), while a corpus of two or three
clearly different topics scores 0.3–0.45 at the right k and is not cut into five. An explicit
`n_themes` is taken as it is (capped at the number of distinct documents).

What was tried (Bonn Raddialog 2017, 2,314 ideas, 8 human categories, k=8, NMI averaged over
random states; tests/bench/bench_themes.py measures the chosen method and the baseline)
----------------------------------------------------------------------------------------------
plain TF-IDF + k-means (scikit-learn defaults) 0.12; word TF-IDF with stop words + k-means 0.17,
with LSA 0.20; + character 3–5-grams 0.28–0.30 (the big step); 30 instead of 10 k-means inits
+0.015. No gain, or worse: Snowball or light stemming (on top of character n-grams), compound
heads as extra tokens, bigram features, title weighting, other SVD sizes (30–200), dropping the
first SVD component, whitening, NMF (Frobenius 0.21, KL 0.22), LDA (0.13–0.18), agglomerative
(ward 0.21, average 0.22), spectral on a kNN graph (0.25–0.27), GMM (0.27), bisecting k-means
(0.25), over-clustering then merging (0.19–0.27), consensus clustering (0.30, 40× slower),
self-training a linear classifier on the clusters (0.30), kNN smoothing of the vectors (+0.006,
within noise). For scale: a supervised logistic regression on the same features, 5-fold
cross-validated on the human labels, reaches NMI 0.42 — that is roughly the ceiling for bag of
words here; we use no labels.

Results are deterministic for a fixed `random_state` (and a fixed order of `documents`).
Cost on 2 idle cores: about 3 s for 2,000 ideas and 13 s for 10,000.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["Theme", "choose_n_themes", "compute_themes"]


@dataclass(frozen=True)
class Theme:
    label: str  # readable label, e.g. "Ampel · Kreuzung · Grün"
    keywords: list[str]  # top keywords, most characteristic first
    members: list[int]  # ids of the ideas in this theme
    is_other: bool = False  # the bucket of ideas without usable words (label "Sonstiges"/"Other")


# --- tuning (chosen on the Bonn corpus by NMI averaged over random states; see module doc) ---
WORD_WEIGHT = 0.3
CHAR_WEIGHT = 0.7
CHAR_NGRAMS = (3, 5)
SVD_DIMS = 100
KMEANS_INIT = 30
MAX_AUTO_THEMES = 12
CLEAR_SILHOUETTE = 0.2
SILHOUETTE_SAMPLE = 2_000
N_KEYWORDS = 8
LABEL_KEYWORDS = 3
LABEL_MAX_WORDS = 4
MAX_DOC_CHARS = 5_000  # the gist of an idea is at its start; bounds time and memory

OTHER_LABEL = {"de": "Sonstiges", "en": "Other"}

_GERMAN_STOP = """
ab aber alle allem allen aller allerdings alles als also am an ander andere anderem anderen anderer
anderes anders auch auf aus außer außerdem bald bei beide beiden beim bereits besonders bin bis
bisher bist bitte bzw ca da dabei dadurch dafür dagegen daher dahin damals damit danach daneben
dank danke dann daran darauf daraus darf darfst darin darum darunter darüber das dass dasselbe
davon dazu daß dein deine deinem deinen deiner deines dem demnach demselben den denen denn dennoch
denselben der deren derer derselbe derselben des deshalb desselben dessen dich die dies diese
dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch dürfen dürfte eben ebenfalls
ebenso eher eigentlich ein eine einem einen einer eines einfach einig einige einigem einigen
einiger einiges einmal er es etc etwa etwas euch euer eure eurem euren eurer eures evtl für gab
ganz gar geben gegen gegenüber gehen geht gemacht gerade gern gerne gesehen gewesen ggf gibt ging
hab habe haben hast hat hatte hatten her hier hierbei hin hinter hätte hätten häufig ich ihm ihn
ihnen ihr ihre ihrem ihren ihrer ihres im immer in indem ins insbesondere ist ja je jede jedem
jeden jeder jedes jedoch jemand jene jenem jenen jener jenes jetzt kann kannst kaum kein keine
keinem keinen keiner keines kommen kommt konnte könne können könnt könnte könnten lassen leider
machen macht mag mal man manche manchem manchen mancher manches mehr mein meine meinem meinen
meiner meines meist meistens mich mir mit muss musst musste möchte möchten mögen müssen müsste nach
nachdem natürlich neben nehmen nein nicht nichts noch nun nur ob oben oder oft ohne schon sehen
sehr sei seid sein seine seinem seinen seiner seines seit selbst sich sie sind so sodass sogar
solche solchem solchen solcher solches soll sollen sollte sollten sondern sonst sowie sowohl statt
stehen steht ständig teilweise trotz trotzdem um und uns unser unsere unserem unseren unserer
unseres unter usw vgl viel viele vielen vieler vielleicht vom von vor wann war waren warst warum
was weil weiter weitere welche welchem welchen welcher welches wem wen wenn wer werde werden wie
wieder will wir wird wirklich wirst wo woher wohin wollen wollte worden wurde wurden wäre wären
würde würden zu zudem zum zur zusätzlich zwar zwischen über
"""

_ENGLISH_STOP = """
a about above across after afterwards again against all almost along already also although always
am among an and another any anyone anything anyway anywhere are around as at be became because
become been before being below beside besides between both but by can cannot could did do does
doing done down due during each either else enough especially etc even ever every everyone
everything everywhere except few for from further get gets getting got had has have having he hence
her here hers herself him himself his how however i ie if in into is it its itself just least less
let like many may me meanwhile might more moreover most mostly much must my myself near neither
never nevertheless no nobody none nor not nothing now of off often on once one only onto or other
others otherwise our ours ourselves out over own per perhaps please quite rather really same she
should since so some someone something sometimes still such than thank thanks that the their theirs
them themselves then there thereby therefore these they this those though through throughout thus
to together too toward towards under until up upon us very via was we well were what whatever when
whenever where whereas wherever whether which while who whoever whom whose why will with within
without would yet you your yours yourself yourselves
"""

# Markup and web noise from Markdown bodies.
_NOISE = {"http", "https", "www", "com", "org", "html", "htm", "php", "de"}

# German function words that are English content words: removed from German documents only.
_GERMAN_ONLY = {"bin", "hat", "war", "man", "die", "den", "nun", "fast"}

_DE_MARKERS = {
    "der", "die", "und", "ist", "nicht", "das", "ein", "eine", "zu", "mit", "auf", "für", "von", "den",
    "es", "sich", "ich", "wird", "sind", "auch", "im", "dem", "bei", "oder", "werden",
}
_EN_MARKERS = {
    "the", "and", "is", "of", "to", "for", "that", "with", "on", "this", "are", "be", "it", "we",
    "should", "would", "at", "from", "there", "have", "has", "not", "or", "by",
}

_STOP_DE = frozenset(_GERMAN_STOP.split()) | _NOISE
_STOP_EN = frozenset(_ENGLISH_STOP.split()) | _NOISE
_STOP_FOR = {
    "de": _STOP_DE | (_STOP_EN - _GERMAN_ONLY),
    "en": _STOP_EN | (_STOP_DE - _GERMAN_ONLY),
}

_WORD_RE = re.compile(r"[^\W\d_]+")
_SUFFIXES = ("ern", "em", "en", "er", "es", "e", "n", "s")


def _key(word: str) -> str:
    """Pooling key for a lowercase word: ß and umlauts folded as people type them without
    (so "Fußgänger" and "fussgaenger" meet), up to two light inflection suffixes stripped
    (so "schutzstreifens" and "schutzstreifen" meet)."""
    word = word.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    for _ in range(2):
        for suffix in _SUFFIXES:
            if len(word) > 4 and word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _language(lower_words: list[str], hint: str) -> str:
    de = sum(w in _DE_MARKERS for w in lower_words)
    en = sum(w in _EN_MARKERS for w in lower_words)
    if de > en:
        return "de"
    if en > de:
        return "en"
    return "en" if hint == "en" else "de"


@dataclass
class _Doc:
    tokens: list[str]  # lowercase content words, in order
    surfaces: list[str]  # the same words as written
    adjacent: list[bool]  # adjacent[i]: tokens[i] directly followed tokens[i-1] in the text


def _tokenize(text: str, hint: str) -> _Doc:
    text = unicodedata.normalize("NFC", text[:MAX_DOC_CHARS])
    words = _WORD_RE.findall(text)
    lower = [w.lower() for w in words]
    stop = _STOP_FOR[_language(lower, hint)]
    tokens, surfaces, adjacent = [], [], []
    previous_kept = False
    for word, low in zip(words, lower):
        if len(low) < 2 or low in stop:
            previous_kept = False
            continue
        tokens.append(low)
        surfaces.append(word)
        adjacent.append(previous_kept)
        previous_kept = True
    return _Doc(tokens, surfaces, adjacent)


def choose_n_themes(n_distinct: int) -> int:
    """The automatic number of themes for `n_distinct` distinct documents (see module doc)."""
    if n_distinct < 8:
        return 1 if n_distinct else 0
    k = round(2 * math.log10(n_distinct) + 2)
    return max(2, min(k, MAX_AUTO_THEMES, n_distinct // 4))


def _features(docs: list[_Doc]):
    """Stacked word + character TF-IDF of the documents (rows), as CSR float32."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(docs)
    big = n >= 20
    parts = []
    for weight, kind in ((WORD_WEIGHT, "word"), (CHAR_WEIGHT, "char")):
        for min_df, max_df in ((2, 0.5), (1, 1.0)) if big else ((1, 1.0),):
            if kind == "word":
                vectorizer = TfidfVectorizer(
                    analyzer=lambda d: d.tokens, sublinear_tf=True, min_df=min_df, max_df=max_df,
                    dtype=np.float32,
                )
                data = docs
            else:
                vectorizer = TfidfVectorizer(
                    analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False, sublinear_tf=True,
                    min_df=min_df, max_df=max_df, dtype=np.float32,
                )
                data = [" ".join(d.tokens) for d in docs]
            try:
                matrix = vectorizer.fit_transform(data)
            except ValueError:  # every term pruned by min_df/max_df: retry without pruning
                continue
            parts.append(matrix * np.float32(math.sqrt(weight)))
            break
    return sp.hstack(parts, format="csr", dtype=np.float32)


def _embed(matrix, random_state: int) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n, m = matrix.shape
    dims = min(SVD_DIMS, n - 1, m - 1)
    if dims >= 2:
        reduced = TruncatedSVD(dims, random_state=random_state).fit_transform(matrix)
    else:
        reduced = matrix.toarray()
    return normalize(reduced).astype(np.float64)


def _pick_k(points: np.ndarray, k_max: int, random_state: int) -> int:
    """`k_max`, unless the documents form clearly separated groups (see module doc)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if len(points) > SILHOUETTE_SAMPLE:
        rows = np.random.default_rng(random_state).choice(len(points), SILHOUETTE_SAMPLE, replace=False)
        points = points[np.sort(rows)]
    best_k, best = k_max, -1.0
    for k in range(2, k_max + 1):
        labels = KMeans(k, n_init=3, random_state=random_state).fit_predict(points)
        if len(np.unique(labels)) < 2:
            continue
        score = silhouette_score(points, labels)
        if score > best:
            best_k, best = k, score
    return best_k if best >= CLEAR_SILHOUETTE else k_max


def _cluster(points: np.ndarray, weights: np.ndarray, k: int, random_state: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    kmeans = KMeans(k, n_init=KMEANS_INIT, random_state=random_state)
    labels = kmeans.fit_predict(points, sample_weight=weights)
    return np.searchsorted(np.unique(labels), labels)  # no gaps if a cluster stayed empty


def _terms(doc: _Doc) -> set[tuple[str, ...]]:
    """Label candidates of one document: pooled keys of unigrams (≥ 3 letters) and bigrams."""
    keys = [_key(t) for t in doc.tokens]
    terms: set[tuple[str, ...]] = {(k,) for k, t in zip(keys, doc.tokens) if len(t) >= 3}
    for i in range(1, len(keys)):
        if doc.adjacent[i] and len(doc.tokens[i]) >= 3 and len(doc.tokens[i - 1]) >= 3 and keys[i] != keys[i - 1]:
            terms.add((keys[i - 1], keys[i]))
    return terms


def _surface_forms(docs: list[_Doc]) -> dict[tuple[str, ...], str]:
    """The most frequent spelling of every term key (ties: the first seen)."""
    counts: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for doc in docs:
        keys = [_key(t) for t in doc.tokens]
        for i, (k, s) in enumerate(zip(keys, doc.surfaces)):
            counts[(k,)][s] += 1
            if i and doc.adjacent[i]:
                counts[(keys[i - 1], k)][f"{doc.surfaces[i - 1]} {s}"] += 1
    return {key: c.most_common(1)[0][0] for key, c in counts.items()}


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two keywords say the same thing in a label (shared word, or one word contains
    the other as in "Ampel" / "Ampelschaltung")."""
    for x in a:
        for y in b:
            if x == y:
                return True
            short, long_ = sorted((x, y), key=len)
            if len(short) >= 4 and (long_.startswith(short) or long_.endswith(short)):
                return True
    return False


def _keywords(docs: list[_Doc], labels: np.ndarray, n_clusters: int) -> list[tuple[list[str], str]]:
    """(keywords, label) per cluster by class-based TF-IDF."""
    doc_terms = [_terms(d) for d in docs]
    per_class = [Counter() for _ in range(n_clusters)]
    sizes = np.bincount(labels, minlength=n_clusters)
    for terms, c in zip(doc_terms, labels):
        per_class[c].update(terms)
    total = Counter()
    for counter in per_class:
        total.update(counter)
    n_docs = len(docs)
    surface = _surface_forms(docs)

    result = []
    for c in range(n_clusters):
        size = max(1, int(sizes[c]))
        support = 2 if size >= 4 else 1
        if not any(df >= support for df in per_class[c].values()):
            support = 1
        scored = []
        for term, df in per_class[c].items():
            if df < support:
                continue
            share = df / size
            score = share * math.log(share * n_docs / total[term]) if n_clusters > 1 else share
            if len(term) == 2:
                score *= 0.9  # a bigram must be clearly better than its words
            scored.append((score, df, term))
        scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
        keywords: list[tuple[str, ...]] = []
        for _, _, term in scored:
            if len(keywords) >= N_KEYWORDS:
                break
            if set(term) <= {w for k in keywords for w in k}:  # nothing new (e.g. both words of a bigram)
                continue
            keywords.append(term)
        chosen: list[tuple[str, ...]] = []
        words = 0
        for term in keywords:
            if len(chosen) >= LABEL_KEYWORDS or words + len(term) > LABEL_MAX_WORDS:
                continue
            if any(_overlaps(term, k) for k in chosen):
                continue
            chosen.append(term)
            words += len(term)
        label = " · ".join(surface[t] for t in chosen)
        if not label:  # only words of one or two letters: name the theme by its commonest word
            words_used = Counter(w for d, c2 in zip(docs, labels) if c2 == c for w in d.surfaces)
            label = words_used.most_common(1)[0][0] if words_used else ""
        result.append(([surface[t] for t in keywords], label))
    return result


def compute_themes(
    documents: list[tuple[int, str]],
    *,
    n_themes: int | None = None,
    language_hint: str = "de",
    random_state: int = 0,
) -> list[Theme]:
    """Group `documents` — (idea_id, title + "\\n" + body) — into themes, largest first, with
    the "other" bucket (ideas without usable words) last. Each id lands in exactly one theme."""
    if not documents:
        return []
    hint = "en" if language_hint.lower().startswith("en") else "de"
    docs = [_tokenize(text or "", hint) for _, text in documents]

    # Distinct non-empty documents, with their multiplicity as k-means weight.
    distinct: dict[tuple[str, ...], int] = {}
    row_of: list[int] = []
    empty: list[int] = []
    for i, doc in enumerate(docs):
        if not doc.tokens:
            row_of.append(-1)
            empty.append(documents[i][0])
            continue
        row_of.append(distinct.setdefault(tuple(doc.tokens), len(distinct)))
    n_distinct = len(distinct)
    unique_docs: list[_Doc] = [None] * n_distinct  # type: ignore[list-item]
    weights = np.zeros(n_distinct)
    for i, r in enumerate(row_of):
        if r >= 0:
            weights[r] += 1
            if unique_docs[r] is None:
                unique_docs[r] = docs[i]

    themes: list[Theme] = []
    if n_distinct:
        k = choose_n_themes(n_distinct) if n_themes is None else max(1, min(int(n_themes), n_distinct))
        if k > 1:
            points = _embed(_features(unique_docs), random_state)
            if n_themes is None:
                k = _pick_k(points, k, random_state)
            labels = _cluster(points, weights, k, random_state)
        else:
            labels = np.zeros(n_distinct, dtype=int)
        n_clusters = int(labels.max()) + 1
        named = _keywords(unique_docs, labels, n_clusters)
        members: list[list[int]] = [[] for _ in range(n_clusters)]
        for (idea_id, _), r in zip(documents, row_of):
            if r >= 0:
                members[labels[r]].append(idea_id)
        for c in sorted(range(n_clusters), key=lambda c: (-len(members[c]), c)):
            if members[c]:
                keywords, label = named[c]
                themes.append(Theme(label=label or OTHER_LABEL[hint], keywords=keywords, members=members[c]))
    if empty:
        themes.append(Theme(label=OTHER_LABEL[hint], keywords=[], members=empty, is_other=True))
    return themes
