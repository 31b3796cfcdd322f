"""200 concurrent participants supporting and commenting through the JSON API of a real server
(uvicorn in a subprocess, tests/asgi_server.py), on the test database: SQLite, or PostgreSQL
(with Redis) in CI's second run.

Every acknowledged write must be in the database exactly once, every refusal a 409 of the
budget (never a server error), and nobody's supports beyond the budget — while each person
sends their supports over two connections at once, as a double-clicking browser would.
"""

import asyncio
import random
import time
from collections import Counter

import pytest

from helpathon.evaluation import services
from helpathon.evaluation.models import Support
from helpathon.ideas.models import Comment, Idea
from helpathon.live.models import LiveEvent
from helpathon.live.selectors import cursor_seq
from tests.reliability.clients import Connection, make_writers, server

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 200
BUDGET = 2
SUPPORTS_PER_CLIENT = 3  # one more than the budget: one refusal each
COMMENTS_PER_CLIENT = 1


async def _participate(writer, port: int, slug: str, wanted: list[int], all_ideas: list[int], rng: random.Random):
    """Support every idea in `wanted` (more than the budget) over two connections at once, then
    comment."""
    first, second = Connection(writer, port), Connection(writer, port)
    half = len(wanted) // 2

    async def support(connection, ideas):
        for idea in ideas:
            await connection.write(f"support:{idea}", "PUT", f"/api/v1/editions/{slug}/ideas/{idea}/support")

    try:
        await asyncio.gather(support(first, wanted[:half]), support(second, wanted[half:]))
        for n in range(COMMENTS_PER_CLIENT):
            idea = rng.choice(all_ideas)
            await first.write(f"comment:{idea}", "POST", f"/api/v1/editions/{slug}/ideas/{idea}/comments",
                              {"body": f"Kommentar {n} von Person {writer.user_id}: das hilft dem Viertel."})
    finally:
        first.close()
        second.close()


async def _all(writers, port, slug, challenge_ideas, all_ideas):
    rng = random.Random(8)
    await asyncio.gather(*(
        _participate(w, port, slug, rng.sample(challenge_ideas, SUPPORTS_PER_CLIENT), all_ideas, rng)
        for w in writers
    ))


def test_200_concurrent_participants_lose_no_acknowledged_write_and_keep_their_budgets(
    evaluation, organizer, ideas, server_secret
):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=BUDGET)
    challenge_ideas = [i.pk for i in ideas[:6]]  # the first challenge's six ideas
    all_ideas = [i.pk for i in ideas]
    writers = make_writers(evaluation, CLIENTS)
    start_seq = cursor_seq(evaluation.pk)

    with server() as running:
        began = time.monotonic()
        asyncio.run(_all(writers, running.port, evaluation.slug, challenge_ideas, all_ideas))
        seconds = time.monotonic() - began
        server_log = running.output()

    acked = [a for w in writers for a in w.acked]
    refused = [r for w in writers for r in w.refused]
    in_doubt = [d for w in writers for d in w.in_doubt]
    supports_acked = sum(1 for what, _, _ in acked if what.startswith("support:"))
    comments_acked = sum(1 for what, _, _ in acked if what.startswith("comment:"))
    writes = len(acked) + len(refused) + len(in_doubt)
    print(f"\nreliability/load: {CLIENTS} clients, {writes} writes in {seconds:.1f} s:"
          f" {supports_acked} supports and {comments_acked} comments acknowledged, {len(refused)} refused"
          f" ({dict(Counter(s for _, s, _ in refused))}), {len(in_doubt)} without an answer")

    # Every request answered; every refusal a 409 of the budget, on a support.
    assert in_doubt == [], (in_doubt[:3], server_log[-3000:])
    assert {(what.split(":")[0], status) for what, status, _ in refused} <= {("support", 409)}, refused[:5]
    assert "Traceback" not in server_log, server_log[-3000:]

    # Supports: what each person was told is what the database holds, once, within the budget.
    rows = Counter(Support.objects.filter(user_id__in=[w.user_id for w in writers]).values_list("user_id", "idea_id"))
    assert max(rows.values()) == 1  # no duplicates
    duplicates = sum(n - 1 for n in rows.values())
    lost = 0
    for writer in writers:
        told = {answer["idea"] for what, _, answer in writer.acked
                if what.startswith("support:") and answer["supported"]}
        held = {idea for (user, idea) in rows if user == writer.user_id}
        lost += len(told - held)
        assert told == held, (writer.user_id, told, held)
        assert len(held) == BUDGET  # one idea more asked for than the budget: it is spent exactly
        assert len(writer.refused) == SUPPORTS_PER_CLIENT - BUDGET
    assert sum(rows.values()) == CLIENTS * BUDGET

    # Comments: each acknowledged comment is in the database once, with its text; nothing else.
    comments = list(Comment.objects.filter(author_id__in=[w.user_id for w in writers]).values_list("pk", "body"))
    assert len(comments) == comments_acked == CLIENTS * COMMENTS_PER_CLIENT
    stored = dict(comments)
    for what, payload, answer in acked:
        if what.startswith("comment:"):
            assert stored[answer["id"]] == payload["body"]
    assert len({body for _, body in comments}) == len(comments)

    # Counters and the live log agree with the rows.
    for idea in Idea.objects.filter(pk__in=all_ideas):
        assert idea.support_count == Support.objects.filter(idea=idea).count()
        assert idea.comment_count == Comment.objects.filter(idea=idea).count()
    logged = Counter(LiveEvent.objects.filter(edition=evaluation, seq__gt=start_seq).values_list("type", flat=True))
    assert logged["support.changed"] == CLIENTS * BUDGET
    assert logged["comment.created"] == CLIENTS * COMMENTS_PER_CLIENT
    print(f"reliability/load: lost {lost}, duplicates {duplicates}, budgets exceeded 0;"
          f" {len(refused)} budget refusals (409), 0 server errors")
