"""Full-text search over ideas: title, description and tags.

    search_ideas(Idea.objects.filter(edition=edition, hidden_at__isnull=True), "radweg licht")

keeps the ideas in which every word of the query occurs, as a word prefix in the title or the
description ("Fahrrad" finds "Fahrradständer", "radweg" finds "Radwege") or within a tag name.
Matching ignores case and diacritics ("Fahrradstander" finds "Fahrradständer"; on PostgreSQL also
"Strasse" finds "Straße"). The result is the same queryset, filtered: sort, paginate and filter
it further as usual. Nothing is ranked.

Full-text index, per database:

- SQLite: an FTS5 table `ideas_idea_fts(title, body)` (tokenizer unicode61, remove_diacritics 2),
  kept in step by triggers on `ideas_idea` (insert, update of title/body, delete). No service
  calls anything on writes; bulk updates, the admin and raw SQL are covered too.
- PostgreSQL: a GIN expression index on `ideas_idea`, no triggers. Text search configuration
  "simple" (no stemming, no stop words): ideas come in German and English, often mixed, and a
  German stemmer mangles English words and vice versa; prefix matching covers most of what
  stemming would (inflections, compound heads). Diacritics are folded by the SQL function
  `ideas_search_fold()` (a translate() table; no extension needed) on both sides.
- Any other database: icontains (no index).

Tags are matched with a plain subquery (`ideas_idea_tags` ⋈ `ideas_tag`, name icontains word):
there are few tags, and triggers across tables break Django's table rebuilds on SQLite.

Safety: each query word is made of letters and digits only (everything else separates words),
becomes a quoted prefix term (SQLite `"word"*`, PostgreSQL `word:*`) and reaches the database as
a bound parameter; so no input is FTS syntax or SQL. At most MAX_TOKENS words count, function
words ("der", "and") only when there is nothing else: every word must match.

Beware (SQLite): when a later migration makes Django rebuild `ideas_idea` (AlterField and many
RemoveField/constraint changes do: create a new table, copy, drop the old one, rename), the
triggers go with the old table. Either wire `ensure_installed` to `post_migrate` (see its
docstring), or end such a migration with `migrations.RunPython(search.reinstall,
search.reinstall)`. tests/ideas/test_search.py::test_index_installed fails while they are missing.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from helpathon.ideas.similarity import STOP_WORDS, fold

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 60

FTS_TABLE = "ideas_idea_fts"
PG_INDEX = "ideas_idea_search"
MIGRATION = ("ideas", "0002_search")

# Letters and digits only: never an FTS operator, quote, parenthesis, colon or star.
_TOKEN_RE = re.compile(r"[^\W_]+")


def query_tokens(q: str) -> list[str]:
    """The distinct words of a query, lowercased, in order, at most MAX_TOKENS; function words
    ("der", "und", "the") are left out unless the query has nothing else."""
    q = unicodedata.normalize("NFC", (q or "")[:MAX_QUERY_CHARS])
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(q):
        token = match.group(0).lower()[:MAX_TOKEN_CHARS]
        if token not in tokens:
            tokens.append(token)
    content = [t for t in tokens if fold(t) not in STOP_WORDS]
    return (content or tokens)[:MAX_TOKENS]


# The indexed document on PostgreSQL. The query repeats this text exactly, so that the planner
# uses the expression index.
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, ideas_search_fold(coalesce(title, '') || ' ' || coalesce(body, '')))"
)


def _text_match(vendor: str, token: str) -> Q | None:
    if vendor == "sqlite":
        # A quoted string is never syntax; inner quotes are doubled (tokens have none anyway).
        expression = '"{}"*'.format(token.replace('"', '""'))
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]))
    if vendor == "postgresql":
        # Letters and digits only, so `token:*` is a valid tsquery of one prefix term.
        return Q(pk__in=RawSQL(
            f"SELECT id FROM ideas_idea WHERE {PG_DOCUMENT}"
            " @@ to_tsquery('simple'::regconfig, ideas_search_fold(%s))",
            [f"{token}:*"],
        ))
    return None


def search_ideas(queryset: QuerySet, q: str) -> QuerySet:
    """Filter an Idea queryset to the ideas matching every word of `q` in the title, description
    or tags. Blank `q`: the queryset unchanged; `q` without any letter or digit: no ideas."""
    if not (q or "").strip():
        return queryset
    tokens = query_tokens(q)
    if not tokens:
        return queryset.none()
    from helpathon.ideas.models import Idea

    vendor = connections[queryset.db].vendor
    tagged = Idea.tags.through.objects.using(queryset.db)
    condition = Q()
    for token in tokens:
        text = _text_match(vendor, token)
        if text is None:
            text = Q(title__icontains=token) | Q(body__icontains=token)
        condition &= text | Q(pk__in=tagged.filter(tag__name__icontains=token).values("idea_id"))
    return queryset.filter(condition)


# --- the index: install, remove, rebuild, check --------------------------------------------------
# Migration 0002_search calls these; the SQL lives here once. One statement per execute().

SQLITE_TRIGGERS = {
    "ideas_idea_fts_insert": f"""
        CREATE TRIGGER ideas_idea_fts_insert AFTER INSERT ON ideas_idea BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = new.id;
            INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
    "ideas_idea_fts_update": f"""
        CREATE TRIGGER ideas_idea_fts_update AFTER UPDATE OF id, title, body ON ideas_idea
        WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
    "ideas_idea_fts_delete": f"""
        CREATE TRIGGER ideas_idea_fts_delete AFTER DELETE ON ideas_idea BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
}
SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE}
        USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')""",
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    *SQLITE_TRIGGERS.values(),
]
SQLITE_REBUILD = [
    f"DELETE FROM {FTS_TABLE}",
    f"INSERT INTO {FTS_TABLE} (rowid, title, body) SELECT id, title, body FROM ideas_idea",
]
SQLITE_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


def _fold_table() -> tuple[str, str]:
    """Accented Latin letters and their base letters, for PostgreSQL's translate()."""
    source, target = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if char != base and base.isascii() and base.isalpha():
            source.append(char)
            target.append(base)
    return "".join(source), "".join(target)


_FOLD_FROM, _FOLD_TO = _fold_table()

POSTGRES_INSTALL = [
    # lower(), then accented letters to their base letters (both cases: what lower() does to
    # non-ASCII letters depends on the database's locale), then ß to ss. IMMUTABLE: the index uses it.
    f"""CREATE OR REPLACE FUNCTION ideas_search_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT replace(translate(lower($1), '{_FOLD_FROM}', '{_FOLD_TO}'), 'ß', 'ss')
        $$""",
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    f"CREATE INDEX {PG_INDEX} ON ideas_idea USING gin (({PG_DOCUMENT}))",
]
POSTGRES_UNINSTALL = [
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    "DROP FUNCTION IF EXISTS ideas_search_fold(text)",
]


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection) -> None:
    """Create (or re-create) the index, its triggers on SQLite, and fill it from the ideas."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_INSTALL + SQLITE_REBUILD)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_INSTALL)


def uninstall(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_UNINSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_UNINSTALL)


def missing_parts(connection) -> set[str]:
    """Names of the index's parts (table, triggers, index) missing from the database."""
    if connection.vendor == "sqlite":
        expected = {FTS_TABLE, *SQLITE_TRIGGERS}
        sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
    elif connection.vendor == "postgresql":
        expected = {PG_INDEX}
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'ideas_idea'"
    else:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        present = {row[0] for row in cursor.fetchall()}
    return expected - present


def ensure_installed(sender=None, *, using: str = DEFAULT_DB_ALIAS, **kwargs) -> bool:
    """Re-create the index if a part of it is missing although migration 0002_search is applied;
    True if it did. Fit for `post_migrate`:

        # helpathon/ideas/apps.py, IdeasConfig
        def ready(self):
            from django.db.models.signals import post_migrate
            from helpathon.ideas import search
            post_migrate.connect(search.ensure_installed, sender=self)
    """
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return False
    missing = missing_parts(connection)
    if not missing:
        return False
    logger.warning("Idea search index incomplete (%s missing); re-creating it.", ", ".join(sorted(missing)))
    install(connection)
    return True


def reinstall(apps, schema_editor) -> None:
    """For a migration (RunPython, both directions) after which Django rebuilt `ideas_idea` on
    SQLite."""
    install(schema_editor.connection)


def _migrate_forwards(apps, schema_editor) -> None:
    install(schema_editor.connection)


def _migrate_backwards(apps, schema_editor) -> None:
    uninstall(schema_editor.connection)
