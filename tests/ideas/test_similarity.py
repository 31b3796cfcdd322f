"""Similar-idea search: ranking in German and English, what is left out, and the per-edition
cache (queries per call, rebuild after writes)."""

import itertools
import random
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import similarity
from helpathon.ideas.models import Idea
from helpathon.ideas.services import idea_create, idea_merge, idea_update
from helpathon.ideas.similarity import IdeaTokens, SimilarityIndex, similar_ideas
from tests.factories import make_edition

pytestmark = pytest.mark.django_db

DISTRACTORS = [
    ("Mehr Bänke im Stadtpark", "Im Stadtpark fehlen Sitzgelegenheiten für ältere Menschen."),
    ("Digitale Terminvergabe im Bürgerbüro", "Termine online buchen statt stundenlang warten."),
    ("Trinkbrunnen in der Innenstadt", "Bei Hitze brauchen wir kostenloses Trinkwasser."),
    ("Beleuchtung der Radwege am Fluss", "Nachts ist der Weg am Fluss zu dunkel."),
    ("Open data portal for the city", "Publish the city's datasets in machine-readable formats."),
    ("Car sharing in every district", "Shared electric cars reduce parking pressure."),
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Ids repeat across tests on SQLite (rolled-back transactions): no index may leak over.
    similarity.clear_cache()
    yield
    similarity.clear_cache()


def make_idea(edition, author, title, body="", **extra):
    now = extra.pop("created_at", timezone.now())
    return Idea.objects.create(
        edition=edition, challenge=extra.pop("challenge", None) or edition.challenges.first(), author=author,
        title=title, body=body, created_at=now, updated_at=extra.pop("updated_at", now), **extra,
    )


@pytest.fixture
def ideas(edition, participant):
    made = {title: make_idea(edition, participant, title, body) for title, body in DISTRACTORS}
    made["bahnhof"] = make_idea(
        edition, participant, "Fahrradständer am Bahnhof fehlen",
        "Wer mit dem Rad zum Zug fährt, findet keinen Platz zum Abstellen.",
    )
    made["bike"] = make_idea(
        edition, participant, "Safe bike parking at schools",
        "Children need covered, theft-proof bike racks next to the school entrance.",
    )
    return made


def ids(results):
    return [idea_id for idea_id, _score in results]


def test_german_near_duplicate_ranks_first(edition, ideas):
    results = similar_ideas(edition.pk, "Mehr Fahrradständer am Hauptbahnhof")
    assert results, "expected at least the near-duplicate"
    assert results[0][0] == ideas["bahnhof"].pk
    assert 0.15 <= results[0][1] <= 1.0
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(results))


def test_compound_and_spelling_variants_meet(edition, ideas):
    assert ids(similar_ideas(edition.pk, "Fahrradstaender"))[:1] == [ideas["bahnhof"].pk]
    assert ids(similar_ideas(edition.pk, "Radwegbeleuchtung"))[:1] == [ideas["Beleuchtung der Radwege am Fluss"].pk]


def test_english_works(edition, ideas):
    assert ids(similar_ideas(edition.pk, "bike racks for schools"))[:1] == [ideas["bike"].pk]
    assert ids(similar_ideas(edition.pk, "Open city data"))[:1] == [ideas["Open data portal for the city"].pk]


def test_unrelated_text_finds_nothing(edition, ideas):
    assert similar_ideas(edition.pk, "Quantenchromodynamik") == []


def test_limit_and_min_score(edition, ideas):
    assert len(similar_ideas(edition.pk, "Stadt Park Rad Bahnhof Wasser", limit=2, min_score=0.0)) == 2
    assert similar_ideas(edition.pk, "Mehr Fahrradständer am Hauptbahnhof", min_score=0.99) == []
    assert similar_ideas(edition.pk, "Fahrradständer", limit=0) == []


def test_empty_and_stop_word_text_needs_no_query(edition, ideas, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert similar_ideas(edition.pk, "") == []
        assert similar_ideas(edition.pk, "   ") == []
        assert similar_ideas(edition.pk, None) == []
        assert similar_ideas(edition.pk, "und die der the and") == []
        assert similar_ideas(edition.pk, "?!…") == []


def test_exclude_id(edition, ideas):
    own = ideas["bahnhof"]
    results = similar_ideas(edition.pk, own.title, exclude_id=own.pk, min_score=0.0)
    assert own.pk not in ids(results)
    assert ids(similar_ideas(edition.pk, own.title))[:1] == [own.pk]


def test_hidden_and_merged_ideas_never_appear(edition, ideas, organizer):
    hidden, merged = ideas["bahnhof"], ideas["bike"]
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason="spam")
    idea_merge(actor=organizer, idea=merged, target=ideas["Mehr Bänke im Stadtpark"])
    for text in (hidden.title, merged.title, "Fahrradständer Bahnhof bike parking schools"):
        found = ids(similar_ideas(edition.pk, text, min_score=0.0, limit=50))
        assert hidden.pk not in found and merged.pk not in found


def test_other_editions_are_separate(edition, ideas, participant):
    other = make_edition(slug="other-edition")
    twin = make_idea(other, participant, "Fahrradständer am Bahnhof fehlen")
    assert twin.pk not in ids(similar_ideas(edition.pk, "Fahrradständer am Bahnhof", min_score=0.0, limit=50))
    assert ids(similar_ideas(other.pk, "Fahrradständer am Bahnhof")) == [twin.pk]


def test_no_ideas(edition, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert similar_ideas(edition.pk, "Fahrradständer") == []


def test_cached_index_costs_one_query(edition, ideas, django_assert_num_queries):
    with django_assert_num_queries(2):  # the fingerprint, then the ideas to index
        first = similar_ideas(edition.pk, "Fahrradständer am Hauptbahnhof")
    with django_assert_num_queries(1):  # only the fingerprint
        assert similar_ideas(edition.pk, "Fahrradständer am Hauptbahnhof") == first
    with django_assert_num_queries(1):
        similar_ideas(edition.pk, "bike parking")


def test_cache_rebuilds_after_a_new_idea(edition, ideas, organizer, participant, django_assert_num_queries):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    text = "Sonnensegel über dem Spielplatz"
    assert similar_ideas(edition.pk, text) == []
    new = idea_create(actor=participant, challenge=edition.challenges.first(), title="Sonnensegel für Spielplätze",
                      body="Schatten im Sommer.")
    with django_assert_num_queries(2):  # the fingerprint changed: rebuilt
        assert ids(similar_ideas(edition.pk, text))[:1] == [new.pk]
    with django_assert_num_queries(1):
        similar_ideas(edition.pk, text)


def test_cache_rebuilds_after_an_edit(edition, ideas, organizer, participant):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    idea = idea_create(actor=participant, challenge=edition.challenges.first(), title="Sonnensegel für Spielplätze")
    assert ids(similar_ideas(edition.pk, "Sonnensegel"))[:1] == [idea.pk]
    idea_update(actor=participant, idea=idea, title="Wasserspielplatz im Stadtteil", body="")
    assert idea.pk not in ids(similar_ideas(edition.pk, "Sonnensegel", min_score=0.0, limit=50))
    assert ids(similar_ideas(edition.pk, "Wasserspielplatz"))[:1] == [idea.pk]


def test_cache_rebuilds_after_hiding_and_unhiding(edition, ideas):
    target = ideas["bahnhof"]
    text = "Fahrradständer am Hauptbahnhof"
    assert ids(similar_ideas(edition.pk, text))[:1] == [target.pk]
    Idea.objects.filter(pk=target.pk).update(hidden_at=timezone.now())  # as moderation would
    assert target.pk not in ids(similar_ideas(edition.pk, text, min_score=0.0, limit=50))
    Idea.objects.filter(pk=target.pk).update(hidden_at=None)
    assert ids(similar_ideas(edition.pk, text))[:1] == [target.pk]


def test_swapping_which_idea_is_hidden_is_seen(edition, ideas):
    a, b = ideas["bahnhof"], ideas["bike"]
    moment = timezone.now()
    Idea.objects.filter(pk=a.pk).update(hidden_at=moment)
    assert a.pk not in ids(similar_ideas(edition.pk, a.title, min_score=0.0, limit=50))
    # Unhide a and hide b with the very same timestamp: counts and max(hidden_at) stay equal.
    Idea.objects.filter(pk=a.pk).update(hidden_at=None)
    Idea.objects.filter(pk=b.pk).update(hidden_at=moment)
    assert ids(similar_ideas(edition.pk, a.title))[:1] == [a.pk]
    assert b.pk not in ids(similar_ideas(edition.pk, b.title, min_score=0.0, limit=50))


def test_cache_is_bounded(participant, monkeypatch):
    monkeypatch.setattr(similarity, "CACHE_SIZE", 2)
    editions = [make_edition(slug=f"lru-{n}") for n in range(3)]
    for edition in editions:
        make_idea(edition, participant, "Fahrradständer am Bahnhof")
        assert similar_ideas(edition.pk, "Fahrradständer")
    assert list(similarity._cache) == [editions[1].pk, editions[2].pk]


def _synthetic_ideas(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    stems = (
        "Fahrrad Radweg Bahnhof Bibliothek Bürgerbüro Spielplatz Parkhaus Ladestation Straßenbahn Busspur "
        "Grünfläche Baum Bank Mülleimer Beleuchtung Sicherheit Schule Kita Senioren Jugend Plattform Sensor "
        "Daten Verwaltung Termin Formular Antrag Wohnung Miete Energie Solar Wärme Wasser Hitze Schatten "
        "Brunnen Markt Innenstadt Leerstand Kultur Musik Sport Verein Ehrenamt bike lane station library park "
        "tree bench light safety school data open city app sensor heat water neighbourhood volunteer"
    ).split()
    vocabulary = [a + b.lower() for a in stems for b in rng.sample(stems, 6)] + stems
    def sentence(n):
        return " ".join(rng.choice(vocabulary) + rng.choice(["", "en", "e", "s"]) for _ in range(n))
    return [(sentence(rng.randint(3, 8)), sentence(rng.randint(30, 300))) for _ in range(count)]


def test_it_finds_the_near_duplicate_among_2000_ideas(edition, participant, django_assert_num_queries):
    # Speed is measured in `make bench` (tests/bench/bench_similarity.py), not asserted here.
    now = timezone.now()
    challenge = edition.challenges.first()
    Idea.objects.bulk_create([
        Idea(edition=edition, challenge=challenge, author=participant, title=title[:160], body=body,
             created_at=now - timedelta(minutes=n), updated_at=now)
        for n, (title, body) in enumerate(_synthetic_ideas(2000))
    ])
    target = Idea.objects.create(
        edition=edition, challenge=challenge, author=participant, title="Fahrradständer am Hauptbahnhof fehlen",
        body="Es gibt zu wenige Abstellplätze.", created_at=now, updated_at=now,
    )
    similar_ideas(edition.pk, "warm up the index")
    with django_assert_num_queries(1):
        hits = similar_ideas(edition.pk, "Mehr Fahrradständer am Hauptbahnhof")
    assert hits[0][0] == target.pk


def test_index_scores_are_cosines():
    index = SimilarityIndex.build([1, 2], [IdeaTokens.of("Radweg", ""), IdeaTokens.of("Bibliothek", "Bücher")])
    assert index.query("Radweg", limit=5) == [(1, 1.0)]
    assert IdeaTokens.of("", "").word_tokens == []
    assert SimilarityIndex.build([1], [IdeaTokens.of("der die das", "")]) is None


@pytest.mark.parametrize("text", [
    '"', "*", "NEAR(", "') OR 1=1 --", "%", "😀", "😀 Fahrrad", "\x00", "\ud800", "a" * 500, "Fahrrad " * 1000,
    "x" * 100_000, "ﬁ", "日本語",
], ids=repr)
def test_hostile_text_never_raises(edition, ideas, text):
    results = similar_ideas(edition.pk, text, exclude_id=10**30)
    assert all(isinstance(pk, int) and 0.15 <= score <= 1.0 for pk, score in results)


def test_concurrent_callers_build_an_edition_once(monkeypatch):
    import threading

    builds = []

    def slow_build(edition_id):
        builds.append(edition_id)
        time.sleep(0.2)
        return SimilarityIndex.build([1], [IdeaTokens.of("Radweg", "")])

    monkeypatch.setattr(similarity, "_build", slow_build)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(similarity.index_for(4242, key=("same",))))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [4242]
    assert len(results) == 8 and all(r is results[0] for r in results)
