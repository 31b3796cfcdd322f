"""Full-text search over ideas, on SQLite (FTS5 + triggers) and PostgreSQL (GIN expression index):
what it finds, hostile input, composition with other filters, and the index kept in step."""

import pytest
from django.db import connection
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import search
from helpathon.ideas.models import Idea, Tag
from helpathon.ideas.search import query_tokens, search_ideas
from helpathon.ideas.services import idea_create, idea_update

pytestmark = pytest.mark.django_db


def make_idea(edition, author, title, body="", tags=(), **extra):
    now = timezone.now()
    idea = Idea.objects.create(
        edition=edition, challenge=extra.pop("challenge", None) or edition.challenges.first(), author=author,
        title=title, body=body, created_at=now, updated_at=now, **extra,
    )
    if tags:
        idea.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    return idea


@pytest.fixture
def ideas(edition, participant):
    second = edition.challenges.order_by("order")[1]
    return {
        "stands": make_idea(edition, participant, "Mehr Fahrradständer am Hauptbahnhof",
                            "Pendler finden morgens keinen Platz.", tags=["mobilität", "radverkehr"],
                            support_count=3),
        "light": make_idea(edition, participant, "Beleuchtung für Radwege",
                           "Am Fluss ist es nachts zu dunkel, besonders im Winter.", tags=["sicherheit"],
                           support_count=7, challenge=second),
        "street": make_idea(edition, participant, "Spielstraße in der Südstadt",
                            "Einmal im Monat wird die Straße für Kinder gesperrt.", tags=["kinder"],
                            support_count=1),
        "data": make_idea(edition, participant, "Open data portal",
                          "Publish the city's datasets (traffic, air quality) as open data.", tags=["open data"],
                          support_count=5),
    }


def found(q, queryset=None):
    return set(search_ideas(queryset if queryset is not None else Idea.objects.all(), q).values_list("pk", flat=True))


def test_index_installed():
    # Fails when a later migration let Django rebuild ideas_idea on SQLite without
    # search.reinstall: the table's triggers are gone with the old table.
    assert search.missing_parts(connection) == set()


def test_word_in_the_body(ideas):
    assert found("Pendler") == {ideas["stands"].pk}
    assert found("datasets") == {ideas["data"].pk}
    assert found("winter") == {ideas["light"].pk}


def test_prefix_of_a_german_compound(ideas):
    assert found("Fahrrad") == {ideas["stands"].pk}
    assert found("fahrradst") == {ideas["stands"].pk}
    assert found("Rad") == {ideas["stands"].pk, ideas["light"].pk}  # Radwege; tag radverkehr
    assert found("Radwege") == {ideas["light"].pk}


def test_case_and_diacritics_are_ignored(ideas):
    for q in ("FAHRRADSTÄNDER", "fahrradständer", "Fahrradstander", "südstadt", "SUDSTADT"):
        expected = ideas["stands"] if "fahrrad" in q.lower() else ideas["street"]
        assert found(q) == {expected.pk}, q


def test_every_word_must_match_in_title_body_or_tags(ideas):
    assert found("Fahrrad Pendler") == {ideas["stands"].pk}
    assert found("Fahrrad Winter") == set()
    assert found("Radwege sicherheit") == {ideas["light"].pk}  # body + tag
    assert found("Radwege an der Schule") == set()
    assert found("Radwege an der") == {ideas["light"].pk}  # function words are left out


def test_by_tag(ideas):
    assert found("mobilität") == {ideas["stands"].pk}
    assert found("sicherheit") == {ideas["light"].pk}
    assert found("kinder") == {ideas["street"].pk}  # tag and body
    assert found("verkehr") == {ideas["stands"].pk}  # within a tag name


def test_many_matching_tags_give_one_row(ideas):
    # Three tags contain "rad": the tag match is a subquery, not a join, so no duplicate rows.
    ideas["stands"].tags.set([Tag.objects.get_or_create(name=n)[0] for n in ("rad", "radverkehr", "lastenrad")])
    results = list(search_ideas(Idea.objects.all(), "rad"))
    assert sorted(i.pk for i in results) == sorted([ideas["stands"].pk, ideas["light"].pk])
    assert search_ideas(Idea.objects.all(), "rad").count() == 2


@pytest.mark.parametrize("q", [
    '"', '""', "'", "*", "**", "-", "^", ":", "(", ")", "NEAR(", "NEAR(a b", 'a" OR "b', "a AND", "OR", "NOT a",
    "') OR 1=1 --", "'; DROP TABLE ideas_idea; --", "%", "_", "%%", "a%b", "\\", "\\'", "fahrrad:*", "rad & !weg",
    "title:fahrrad", "{title}: x", "col:", "😀", "😀 Fahrrad", "Fahrrad 😀", "\x00", "a\x00b", "\ud800", "ﬁ",
    "日本語", "עברית", "ß", "a" * 500, "Fahrrad " * 100, "x" * 10_000, "\t\n", "<script>", "&", "|", "!",
], ids=repr)
def test_hostile_input_never_raises(ideas, q):
    everything = set(Idea.objects.values_list("pk", flat=True))
    results = search_ideas(Idea.objects.all(), q)
    pks = set(results.values_list("pk", flat=True))
    assert pks <= everything
    assert results.count() == len(pks)
    assert Idea.objects.count() == len(everything)  # nothing dropped


def test_hostile_input_keeps_its_words(ideas):
    assert found('"Fahrrad') == {ideas["stands"].pk}
    assert found("Fahrrad*") == {ideas["stands"].pk}
    assert found("NEAR(Fahrrad") == set()  # "near" is a word to find, not an operator
    assert found("fahrrad:* | dunkel") == set()  # no OR: both words must match
    assert found("😀 Fahrrad") == {ideas["stands"].pk}
    assert found("Fahrrad " * 100) == {ideas["stands"].pk}


def test_blank_query_leaves_the_queryset_alone(ideas):
    queryset = Idea.objects.filter(support_count__gte=3).order_by("support_count")
    for q in ("", "   ", "\n\t", None):
        assert search_ideas(queryset, q) is queryset


def test_query_without_letters_finds_nothing(ideas):
    for q in ('"', "*", "%", "😀", "--"):
        assert list(search_ideas(Idea.objects.all(), q)) == []


def test_combines_with_filters_ordering_and_slicing(ideas, edition, django_assert_num_queries):
    queryset = Idea.objects.filter(edition=edition, support_count__gte=2).order_by("-support_count")
    results = search_ideas(queryset, "rad")
    with django_assert_num_queries(1):
        assert [i.pk for i in results] == [ideas["light"].pk, ideas["stands"].pk]
    assert [i.pk for i in search_ideas(Idea.objects.order_by("support_count"), "rad")] == [
        ideas["stands"].pk, ideas["light"].pk]
    assert [i.pk for i in results.filter(challenge=ideas["stands"].challenge)] == [ideas["stands"].pk]
    assert list(results.values_list("pk", flat=True)[:1]) == [ideas["light"].pk]
    assert results.exclude(pk=ideas["light"].pk).count() == 1
    assert isinstance(results, type(queryset))
    assert found("open", Idea.objects.filter(hidden_at__isnull=True)) == {ideas["data"].pk}
    Idea.objects.filter(pk=ideas["data"].pk).update(hidden_at=timezone.now())
    assert found("open", Idea.objects.filter(hidden_at__isnull=True)) == set()


def test_other_editions_are_filtered_by_the_caller(ideas, participant):
    from tests.factories import make_edition

    other = make_edition(slug="other-edition")
    twin = make_idea(other, participant, "Fahrradständer im Dorf")
    assert found("fahrrad") == {ideas["stands"].pk, twin.pk}
    assert found("fahrrad", Idea.objects.filter(edition=other)) == {twin.pk}


def test_an_edited_idea_is_found_by_its_new_text_only(ideas):
    idea = ideas["street"]
    idea.title, idea.body = "Autofreier Sonntag", "Einmal im Monat bleibt die Hauptstraße frei."
    idea.save()
    assert found("Spielstraße") == set()
    assert found("autofrei") == {idea.pk}
    Idea.objects.filter(pk=idea.pk).update(body="Flohmarkt auf der Fahrbahn")  # bulk update, no save()
    assert found("Hauptstraße") == set()
    assert found("Flohmarkt autofrei") == {idea.pk}


def test_counters_do_not_touch_the_index(ideas):
    Idea.objects.filter(pk=ideas["stands"].pk).update(support_count=99, comment_count=4)
    assert found("Fahrrad") == {ideas["stands"].pk}


def test_through_the_services(edition, organizer, participant):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    idea = idea_create(actor=participant, challenge=edition.challenges.first(), title="Sonnensegel für Spielplätze",
                       body="Schatten im Sommer.", tags=["Klima"])
    assert found("sonnensegel klima") == {idea.pk}
    idea_update(actor=participant, idea=idea, title="Trinkbrunnen für Spielplätze", body="Wasser im Sommer.",
                tags=["hitze"])
    assert found("sonnensegel") == set()
    assert found("klima") == set()
    assert found("trinkbrunnen hitze") == {idea.pk}


def test_a_tag_change_is_found(ideas):
    idea = ideas["data"]
    idea.tags.set([Tag.objects.get_or_create(name="transparenz")[0]])
    assert found("transparenz") == {idea.pk}
    assert found("open data", Idea.objects.filter(pk=idea.pk)) == {idea.pk}  # still in title and body


def test_a_deleted_idea_leaves_the_index(ideas):
    idea = ideas["stands"]
    pk = idea.pk
    idea.delete()
    assert found("Fahrrad") == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {search.FTS_TABLE} WHERE rowid = %s", [pk])
            assert cursor.fetchone()[0] == 0
            cursor.execute(f"SELECT count(*) FROM {search.FTS_TABLE}")
            assert cursor.fetchone()[0] == Idea.objects.count()


def test_the_index_is_reinstalled_and_refilled(ideas):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # no DDL on a table with pending deferred FK checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search.uninstall(connection)
    assert search.missing_parts(connection)
    search.install(connection)
    assert search.missing_parts(connection) == set()
    assert found("Fahrrad") == {ideas["stands"].pk}
    assert found("Pendler") == {ideas["stands"].pk}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops triggers when Django rebuilds a table")
def test_ensure_installed_restores_dropped_triggers(ideas, edition, participant):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER ideas_idea_fts_insert")
    new = make_idea(edition, participant, "Fahrradverleih am Rathaus")  # not indexed: no trigger
    assert found("Fahrradverleih") == set()
    assert search.ensure_installed() is True
    assert search.missing_parts(connection) == set()
    assert found("Fahrradverleih") == {new.pk}  # refilled from the table
    assert search.ensure_installed() is False


def test_query_tokens():
    assert query_tokens("  Radweg, an der SCHULE!  ") == ["radweg", "schule"]
    assert query_tokens("der die das") == ["der", "die", "das"]
    assert query_tokens('"rad*" OR (weg)') == ["rad", "weg"]
    assert query_tokens("x_y-z") == ["x", "y", "z"]
    assert len(query_tokens(" ".join(f"w{n}" for n in range(100)))) == search.MAX_TOKENS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_folds_sharp_s_and_uses_the_index(ideas):
    assert found("Spielstrasse") == {ideas["street"].pk}
    assert found("STRASSE") == {ideas["street"].pk}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_ideas(Idea.objects.all(), "fahrrad").explain()
    assert search.PG_INDEX in plan  # the query's expression is the index's expression
