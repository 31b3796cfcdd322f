"""Reads of ideas and comments, tuned so that no page's query count grows with the data."""

import difflib
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import Http404

from helpathon.editions.models import Challenge, Edition
from helpathon.ideas.models import Comment, Idea, IdeaLink, IdeaVersion, Theme

SORTS = ("new", "supported", "discussed", "random")
PER_PAGE = 20
# Stable shuffle without state: multiplying the id by a seed-dependent factor modulo a prime
# permutes the ids, a different permutation for every seed (an addition would only rotate).
_SHUFFLE_MULTIPLIER = 1103515245
_SHUFFLE_MODULUS = 2147483647


def default_seed() -> int:
    """The shuffle seed of the day: everybody sees the same fair order today, a new one tomorrow."""
    return date.today().toordinal() % 100_000


def visible_ideas(edition: Edition) -> QuerySet[Idea]:
    return Idea.objects.filter(edition=edition, hidden_at__isnull=True)


@dataclass
class IdeaFilters:
    challenge: Challenge | None = None
    status: str = ""
    tag: str = ""
    q: str = ""
    sort: str = "new"
    seed: int = field(default_factory=default_seed)


def edition_version(edition: Edition) -> int:
    """A number that changes with every visible change in the edition: the live event log's
    last number (every such change writes an event in its transaction). One query; pages
    key their caches on it."""
    from helpathon.live.selectors import cursor_seq

    return cursor_seq(edition.pk)


class LazyPage:
    """A page of ideas computed only when a template first asks for it, so that a cached
    fragment costs no list queries."""

    def __init__(self, edition: Edition, filters: IdeaFilters, *, page: int, per_page: int = PER_PAGE):
        self._args = (edition, filters, page, per_page)
        self._page: Page | None = None

    @property
    def page_obj(self) -> Page:
        if self._page is None:
            edition, filters, page, per_page = self._args
            self._page = idea_list(edition, filters, page=page, per_page=per_page)
        return self._page


def idea_list(edition: Edition, filters: IdeaFilters, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of an edition's (or a challenge's) visible ideas: a count query, the page
    query (author and challenge joined), and one query for the page's tags."""
    qs = visible_ideas(edition).select_related("edition", "author", "challenge", "merged_into")
    if filters.challenge is not None:
        qs = qs.filter(challenge=filters.challenge)
    if filters.status:
        qs = qs.filter(status=filters.status)
    else:
        # Merged duplicates point elsewhere; they show only when asked for.
        qs = qs.exclude(status=Idea.Status.MERGED)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.q:
        from helpathon.ideas.search import search_ideas

        qs = search_ideas(qs, filters.q)
    if filters.sort == "supported":
        qs = qs.order_by("-support_count", "-created_at", "-pk")
    elif filters.sort == "discussed":
        qs = qs.order_by("-comment_count", "-created_at", "-pk")
    elif filters.sort == "random":
        factor = pow(_SHUFFLE_MULTIPLIER, filters.seed + 1, _SHUFFLE_MODULUS)
        qs = qs.alias(shuffle=(F("id") * factor) % _SHUFFLE_MODULUS).order_by(
            "shuffle", "pk"
        )
    else:
        qs = qs.order_by("-created_at", "-pk")
    qs = qs.prefetch_related("tags")
    return Paginator(qs, per_page).get_page(page)


def edition_tags(edition: Edition, *, limit: int = 30) -> list[str]:
    """The most used tags of an edition's visible ideas, for the filter."""
    from django.db.models import Count

    from helpathon.ideas.models import Tag

    return list(
        Tag.objects.filter(ideas__edition=edition, ideas__hidden_at__isnull=True)
        .annotate(n=Count("ideas"))
        .order_by("-n", "name")
        .values_list("name", flat=True)[:limit]
    )


def idea_get(*, edition: Edition, pk: int, include_hidden: bool = False) -> Idea:
    """The idea with its author, challenge and tags, or 404 (also for hidden ideas unless a
    moderator asks: hidden content does not exist for the public)."""
    qs = Idea.objects.select_related("author", "challenge", "merged_into__edition").prefetch_related("tags")
    idea = qs.filter(edition=edition, pk=pk).first()
    if idea is None or (idea.hidden_at is not None and not include_hidden):
        raise Http404
    # The edition the caller holds, with its program and agenda: no second look-up of either.
    idea.edition = idea.challenge.edition = edition
    return idea


@dataclass
class IdeaRelations:
    builds_on: list[Idea]
    built_upon_by: list[Idea]
    merged_here: list[Idea]


def idea_relations(idea: Idea) -> IdeaRelations:
    """Visible ideas this one builds on, that build on it, and duplicates merged into it — two queries."""
    out = IdeaLink.objects.filter(source=idea, kind=IdeaLink.Kind.BUILDS_ON, target__hidden_at__isnull=True)
    inc = IdeaLink.objects.filter(target=idea, source__hidden_at__isnull=True)
    builds_on = [link.target for link in out.select_related("target__edition")]
    built_upon_by, merged_here = [], []
    for link in inc.select_related("source__edition"):
        (merged_here if link.kind == IdeaLink.Kind.MERGED_INTO else built_upon_by).append(link.source)
    return IdeaRelations(builds_on=builds_on, built_upon_by=built_upon_by, merged_here=merged_here)


def comment_threads(idea: Idea) -> list[Comment]:
    """Top-level comments with `.thread_replies`, oldest first — one query. Hidden comments
    stay in place as placeholders (their text is not rendered)."""
    comments = list(Comment.objects.filter(idea=idea).select_related("author").order_by("created_at", "pk"))
    by_parent: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id:
            by_parent.setdefault(comment.parent_id, []).append(comment)
    roots = [c for c in comments if c.parent_id is None]
    for root in roots:
        root.thread_replies = by_parent.get(root.pk, [])
    return roots


def comment_get(*, edition: Edition, pk: int) -> Comment:
    comment = Comment.objects.select_related("idea", "idea__edition", "author").filter(pk=pk, idea__edition=edition).first()
    if comment is None or comment.idea.hidden_at is not None:
        raise Http404
    return comment


def idea_versions(idea: Idea) -> list[IdeaVersion]:
    return list(idea.versions.select_related("editor").order_by("-number"))


@dataclass
class DiffPart:
    kind: str  # "same", "added", "removed"
    text: str


def versions_to_compare(versions: list, *, to=None, from_=None) -> tuple:
    """(older, newer) of `versions` (newest first, each with `.number`) as asked by the `to`
    and `from` query values: by default the newest and the one before. Shared by the
    histories of ideas and prototypes."""
    if not versions:
        return None, None
    by_number = {v.number: v for v in versions}
    try:
        newer = by_number[int(to if to is not None else versions[0].number)]
        older = by_number[int(from_ if from_ is not None else newer.number - 1)]
    except (KeyError, ValueError, TypeError):
        newer, older = versions[0], (versions[1] if len(versions) > 1 else None)
    if older is not None and older.number > newer.number:
        older, newer = newer, older
    return older, newer


def diff_words(old: str, new: str) -> list[DiffPart]:
    """A word-level diff for people: what was removed and what was added, in reading order."""
    a, b = old.split(" "), new.split(" ")
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(DiffPart("same", " ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(DiffPart("removed", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(DiffPart("added", " ".join(b[j1:j2])))
    return parts


def version_diff(older: IdeaVersion, newer: IdeaVersion) -> dict:
    return {
        "title": diff_words(older.title, newer.title),
        "body": [diff_words(o, n) for o, n in paired_lines(older.body, newer.body)],
        "tags": diff_words(older.tags, newer.tags),
    }


def paired_lines(old: str, new: str) -> list[tuple[str, str]]:
    """Pair the paragraphs of two texts so that the word diff runs per paragraph."""
    a, b = old.splitlines(), new.splitlines()
    pairs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pairs.extend((line, line) for line in a[i1:i2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            pairs.extend(zip(a[i1:i2], b[j1:j2]))
        else:
            pairs.extend((line, "") for line in a[i1:i2])
            pairs.extend(("", line) for line in b[j1:j2])
    return pairs


def edition_themes(edition: Edition, *, sample: int = 5) -> list[Theme]:
    """The themes, largest first, each with `.sample`: its most supported visible ideas — two queries."""
    themes = list(Theme.objects.filter(edition=edition).order_by("-size", "pk"))
    by_theme: dict[int, list[Idea]] = {t.pk: [] for t in themes}
    rows = (
        visible_ideas(edition).exclude(status=Idea.Status.MERGED).filter(theme__isnull=False)
        .only("pk", "title", "theme_id", "edition_id").order_by("-support_count", "-created_at")
    )
    for idea in rows:
        bucket = by_theme.get(idea.theme_id)
        if bucket is not None and len(bucket) < sample:
            idea.edition = edition
            bucket.append(idea)
    for theme in themes:
        theme.sample = by_theme[theme.pk]
    return themes


def ideas_by_ids(edition: Edition, ids: list[int]) -> list[Idea]:
    """Visible ideas in the given order (for similar-idea suggestions) — one query."""
    found = {i.pk: i for i in visible_ideas(edition).filter(pk__in=ids).select_related("edition", "challenge")}
    return [found[i] for i in ids if i in found]


def challenges_with_counts(edition: Edition) -> list[Challenge]:
    from django.db.models import Count, Q

    return list(
        edition.challenges.annotate(
            idea_count=Count("ideas", filter=Q(ideas__hidden_at__isnull=True) & ~Q(ideas__status="merged"))
        ).order_by("order", "pk")
    )


