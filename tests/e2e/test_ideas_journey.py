"""Ideas in the browser: a participant submits an idea and is offered a similar one while
typing, edits it and reads the diff; another participant builds on it and they discuss it;
an organizer merges it into the older duplicate. Script payloads in titles, bodies, tags and
comments are shown as text and never run. The idea pages have no serious accessibility
violations (in German) and fit a phone's width.

The site speaks German by default and the translations of these pages may lag behind; the
tests select by role, CSS and URL, and accept German or English where they read text.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import services
from helpathon.ideas.models import Comment, Idea, IdeaLink, Theme
from helpathon.registrations.models import Registration
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import Audit
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = pytest.mark.e2e

SLUG = "ideen-sprint"
EXISTING_TITLE = "Fahrradständer am Bahnhof fehlen"
A_TITLE = "Mehr Fahrradständer am Hauptbahnhof"
A_TITLE_EDITED = "Mehr Fahrradständer und Lastenradplätze vor dem Hauptbahnhof"
PHONE = {"width": 390, "height": 844}

XSS_TITLE = "<script>window.__xss=1</script>"
XSS_BODY = '<img src=x onerror="window.__xss=2">'
XSS_TAG = "<b>x</b>"
XSS_COMMENT = "<script>window.__xss=3</script>"


# --- Setup ------------------------------------------------------------------------------------


def _participant(edition, email: str, name: str):
    user = make_user(email, display_name=name)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="business", role="founder",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def cast(db):
    """An edition in its ideation phase with an organizer, two participants (Anna, Ben) and an
    early idea by a third participant (Erika)."""
    edition = make_edition(slug=SLUG, title="Ideen-Sprint Mobilität")
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    edition.refresh_from_db()
    anna = _participant(edition, "anna@example.org", "Anna Anfang")
    ben = _participant(edition, "ben@example.org", "Ben Baustein")
    erika = _participant(edition, "erika@example.org", "Erika Early")
    challenge = edition.challenges.order_by("order").first()
    existing = services.idea_create(
        actor=erika, challenge=challenge, title=EXISTING_TITLE,
        body="Am Bahnhof stehen die Räder an jedem Geländer. Es braucht überdachte Stellplätze.",
        tags=["mobilität", "radverkehr"],
    )
    return {"edition": edition, "organizer": organizer, "anna": anna, "ben": ben, "erika": erika,
            "challenge": challenge, "existing": existing}


def idea_url(idea, suffix: str = "") -> str:
    return f"/editions/{SLUG}/ideas/{idea.pk}/{suffix}"


def submit(page, form_selector: str = "main form.stacked-form"):
    """Press the form's submit button and wait for the next page; returns the response."""
    with page.expect_navigation() as navigation:
        page.locator(f"{form_selector} [type=submit]").first.click()
    return navigation.value


def type_title(page, text: str) -> None:
    """Type the title like a person (key by key, so htmx sees input events)."""
    field = page.locator("#id_title")
    field.fill("")
    field.press_sequentially(text, delay=15)


def wait_for_similar(page, idea) -> None:
    """Wait for the debounced (400 ms) htmx request to show `idea` in the similar box."""
    page.locator(f"#similar a[href='{idea_url(idea)}']").wait_for(state="visible", timeout=5_000)


def fill_idea(page, *, challenge=None, title=None, body=None, tags=None) -> None:
    if challenge is not None:
        page.locator("#id_challenge").select_option(str(challenge.pk))
    if title is not None:
        type_title(page, title)
    if body is not None:
        page.locator("#id_body").fill(body)
    if tags is not None:
        page.locator("#id_tags").fill(tags)


def hrefs(locator) -> list[str]:
    return locator.evaluate_all("els => els.map(a => a.getAttribute('href'))")


def relation_list_after(page, heading: re.Pattern):
    """The <ul> after the h3 of section.relations whose text matches `heading`."""
    h3 = page.locator("main section.relations h3").filter(has_text=heading)
    assert h3.count() == 1, f"no heading {heading.pattern} in {page.locator('main section.relations').inner_text()!r}"
    return h3.locator("xpath=following-sibling::ul[1]")


def horizontal_overflow(page) -> dict:
    """How wide the page is against the viewport, and what sticks out: elements whose box
    passes the right edge or whose text runs out of their box, those with the longest
    unbreakable word (a German compound, a URL) first."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const name = (el) => {
                const cls = typeof el.className === "string" && el.className.trim()
                    ? "." + el.className.trim().split(/\\s+/).join(".") : "";
                return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls;
            };
            const culprits = [];
            for (const el of document.querySelectorAll("main *")) {
                const r = el.getBoundingClientRect();
                if (!r.width || getComputedStyle(el).overflowX !== "visible") continue;
                const right = Math.round(Math.max(r.right, r.left + el.scrollWidth));
                if (right <= width + 1) continue;
                const text = (el.textContent || "").trim();
                const longest = text.split(/\\s+/).reduce((a, b) => (b.length > a.length ? b : a), "");
                culprits.push({what: `${name(el)} to ${right}px, longest word "${longest.slice(0, 60)}"`,
                               length: longest.length, depth: el.querySelectorAll("*").length});
            }
            culprits.sort((a, b) => b.length - a.length || a.depth - b.depth);
            return {scrollWidth: document.documentElement.scrollWidth, width,
                    culprits: culprits.slice(0, 5).map(c => c.what)};
        }"""
    )


# --- The journey ------------------------------------------------------------------------------


def test_participants_submit_edit_build_on_discuss_and_an_organizer_merges(page, url, screenshot, new_page, cast):
    existing, challenge = cast["existing"], cast["challenge"]

    # Anna opens the edition's ideas and goes to the submit form.
    log_in(page, url, "anna@example.org", PASSWORD)
    page.goto(url(f"/editions/{SLUG}/ideas/"))
    assert page.locator(f"#results a[href='{idea_url(existing)}']").inner_text() == EXISTING_TITLE
    screenshot(page, "01-list")
    page.locator(f"main .page-head a.button[href='/editions/{SLUG}/ideas/new/']").click()
    page.wait_for_url(url(f"/editions/{SLUG}/ideas/new/"))
    assert page.locator("#similar").inner_text().strip() == ""

    # Typing the title offers the existing idea (htmx, debounced), before anything is saved.
    fill_idea(page, challenge=challenge, title=A_TITLE)
    wait_for_similar(page, existing)
    box = page.locator("#similar")
    assert EXISTING_TITLE in box.inner_text()
    assert re.search(r"\d+\s*%", box.inner_text()), box.inner_text()
    assert box.locator(f"input[type=checkbox][name=builds_on_pick][value='{existing.pk}']").count() == 1
    screenshot(page, "02-similar-offered")

    # Anna's idea is different enough: she publishes it without building on the other one.
    fill_idea(page, body="Am **Hauptbahnhof** fehlen 200 Stellplätze.\n\nDazu eine Reparaturstation.",
              tags="mobilität, bahnhof")
    submit(page)
    anna_idea = Idea.objects.get(title=A_TITLE)
    page.wait_for_url(url(idea_url(anna_idea)))
    screenshot(page, "03-published")
    assert page.locator("main h1#idea-title").inner_text() == A_TITLE
    assert page.locator("main .idea-body strong").inner_text() == "Hauptbahnhof"  # Markdown rendered
    assert set(page.locator("main .idea-badges a.tag").all_inner_texts()) == {"#mobilität", "#bahnhof"}
    assert page.locator("main section.relations").count() == 0
    assert not IdeaLink.objects.filter(source=anna_idea).exists()

    # She edits the title; the idea now has a second version and the history shows the diff.
    page.locator(f"main .idea-actions a[href='{idea_url(anna_idea, 'edit/')}']").click()
    page.wait_for_url(url(idea_url(anna_idea, "edit/")))
    assert page.locator("#id_title").input_value() == A_TITLE
    assert sorted(page.locator("#id_tags").input_value().split(", ")) == ["bahnhof", "mobilität"]
    page.locator("#id_title").fill(A_TITLE_EDITED)
    page.locator("#id_note").fill("Lastenräder ergänzt")
    submit(page)
    page.wait_for_url(url(idea_url(anna_idea)))
    screenshot(page, "04-edited")
    assert page.locator("main h1#idea-title").inner_text() == A_TITLE_EDITED
    page.locator(f"main .idea-meta a[href='{idea_url(anna_idea, 'history/')}']").click()
    page.wait_for_url(url(idea_url(anna_idea, "history/")))
    screenshot(page, "05-history")
    title_diff = page.locator("main .diff").first
    # Each change starts with a visually hidden "entfernt:"/"hinzugefügt:" for screen readers.
    removed = [re.sub(r"^\S+:\s*", "", t) for t in title_diff.locator("del").all_inner_texts()]
    added = [re.sub(r"^\S+:\s*", "", t) for t in title_diff.locator("ins").all_inner_texts()]
    assert removed == ["am"]
    assert added == ["und Lastenradplätze vor dem"]
    assert title_diff.locator("del .visually-hidden").count() == 1
    assert page.locator("main .version-list > li").count() == 2
    assert "Lastenräder ergänzt" in page.locator("main .version-list").inner_text()

    # Ben builds on Anna's idea: he ticks it in the similar box.
    ben_page = new_page()
    log_in(ben_page, url, "ben@example.org", PASSWORD)
    ben_page.goto(url(f"/editions/{SLUG}/ideas/new/"))
    fill_idea(ben_page, challenge=challenge, title="Lastenradplätze mit Ladestation am Hauptbahnhof")
    wait_for_similar(ben_page, anna_idea)
    ben_page.locator(f"#similar input[name=builds_on_pick][value='{anna_idea.pk}']").check()
    fill_idea(ben_page, body="Die Lastenradplätze bekommen Steckdosen.", tags="laden")
    screenshot(ben_page, "06-ben-builds-on")
    submit(ben_page)
    ben_idea = Idea.objects.get(author=cast["ben"])
    ben_page.wait_for_url(url(idea_url(ben_idea)))
    screenshot(ben_page, "07-ben-published")
    assert hrefs(relation_list_after(ben_page, re.compile(r"Builds on|Baut auf")).locator("a")) == [idea_url(anna_idea)]

    # Anna's idea lists Ben's under "built upon by".
    page.goto(url(idea_url(anna_idea)))
    built_upon = relation_list_after(page, re.compile(r"Built upon|Darauf bauen|Weiterentwickelt|aufgebaut", re.IGNORECASE))
    assert hrefs(built_upon.locator("a")) == [idea_url(ben_idea)]

    # Ben comments on Anna's idea; Anna replies in the thread.
    ben_page.goto(url(idea_url(anna_idea)))
    ben_page.locator("main form.comment-form textarea[name=body]").fill("Wer wartet die Reparaturstation?")
    submit(ben_page, "main form.comment-form")
    comment = Comment.objects.get(idea=anna_idea, author=cast["ben"])
    assert ben_page.url.endswith(f"#comment-{comment.pk}")
    assert "Wer wartet die Reparaturstation?" in ben_page.locator(f"#comment-{comment.pk}").inner_text()

    page.reload()
    thread = page.locator(f"main .thread:has(#comment-{comment.pk})")
    thread.locator("details.reply-box > summary").click()
    thread.locator(f"#reply-{comment.pk}").fill("Der Fahrradclub hat es angeboten.")
    screenshot(page, "08-reply")
    submit(page, f"main .thread:has(#comment-{comment.pk}) details.reply-box form")
    reply = Comment.objects.get(idea=anna_idea, author=cast["anna"])
    assert reply.parent_id == comment.pk
    reply_el = page.locator(f"main .thread:has(#comment-{comment.pk}) ul.replies #comment-{reply.pk}")
    assert "Der Fahrradclub hat es angeboten." in reply_el.inner_text()
    screenshot(page, "09-discussion")

    # The organizer merges Anna's idea into the older existing one, by its number.
    olga = new_page()
    log_in(olga, url, "olga@example.org", PASSWORD)
    olga.goto(url(idea_url(anna_idea)))
    olga.locator(f"main .organizer-panel a[href='{idea_url(anna_idea, 'merge/')}']").click()
    olga.wait_for_url(url(idea_url(anna_idea, "merge/")))
    assert olga.locator(f"main a[href='{idea_url(existing)}']").count() == 1  # offered as similar
    olga.locator("#id_target").fill(str(existing.pk))
    screenshot(olga, "10-merge")
    submit(olga)
    olga.wait_for_url(url(idea_url(existing)))
    screenshot(olga, "11-merged-target")
    merged_here = relation_list_after(olga, re.compile(r"Duplicate|Duplikat|zusammengeführt", re.IGNORECASE))
    assert hrefs(merged_here.locator("a")) == [idea_url(anna_idea)]
    anna_idea.refresh_from_db()
    assert (anna_idea.status, anna_idea.merged_into_id) == (Idea.Status.MERGED, existing.pk)

    # Anna's idea stays readable and points to where the discussion continues; no more editing.
    page.reload()
    screenshot(page, "12-merged-idea")
    pointer = page.locator(f"main .notice a[href='{idea_url(existing)}']")
    assert pointer.is_visible()
    assert EXISTING_TITLE in pointer.inner_text()
    assert page.locator(f"main a[href='{idea_url(anna_idea, 'edit/')}']").count() == 0
    assert page.locator(f"#comment-{comment.pk}").is_visible()
    # Merged ideas leave the default list.
    page.goto(url(f"/editions/{SLUG}/ideas/"))
    assert page.locator(f"#results a[href='{idea_url(anna_idea)}']").count() == 0
    assert page.locator(f"#results a[href='{idea_url(existing)}']").count() == 1

    # Anna's reply keeps its own actions (edit, delete) together in one container: a <form>
    # inside a <p> would be moved out of it by the HTML parser.
    page.goto(url(idea_url(anna_idea)))
    actions = page.locator(f"#comment-{reply.pk} .comment-actions")
    assert actions.locator(f"form[action$='/comments/{reply.pk}/delete/'] button").count() == 1, (
        "the delete form is not inside .comment-actions: " + page.locator(f"#comment-{reply.pk}").inner_html()
    )


def test_a_ticked_similar_idea_stays_ticked_while_the_title_changes(page, url, cast):
    """Ticking "my idea builds on it" and then refining the title must not drop the tick: the
    similar box is replaced on every (debounced) title input."""
    existing = cast["existing"]
    log_in(page, url, "anna@example.org", PASSWORD)
    page.goto(url(f"/editions/{SLUG}/ideas/new/"))
    fill_idea(page, challenge=cast["challenge"], title="Fahrradständer am Hauptbahnhof")
    wait_for_similar(page, existing)
    pick = page.locator(f"#similar input[name=builds_on_pick][value='{existing.pk}']")
    pick.check()
    with page.expect_response(re.compile(r"/ideas/similar/\?")):
        page.locator("#id_title").press_sequentially(" mit Dach", delay=15)
    wait_for_similar(page, existing)
    ticked = pick.is_checked() or str(existing.pk) in page.locator("#id_builds_on").input_value()
    assert ticked, "the tick on the similar idea was lost when the title changed (the htmx swap replaced it)"
    submit(page)
    idea = Idea.objects.get(author=cast["anna"])
    assert list(IdeaLink.objects.filter(source=idea, kind=IdeaLink.Kind.BUILDS_ON).values_list("target", flat=True)) \
        == [existing.pk]


# --- Script payloads --------------------------------------------------------------------------


def assert_no_script_ran(page, where: str) -> None:
    assert page.evaluate("window.__xss") is None, f"a script payload ran on {where} ({page.url})"


def test_script_payloads_are_shown_as_text_and_never_run(page, url, screenshot, new_page, cast):
    edition, challenge = cast["edition"], cast["challenge"]
    # Anna submits the payloads through the form, the way an attacker would.
    log_in(page, url, "anna@example.org", PASSWORD)
    page.goto(url(f"/editions/{SLUG}/ideas/new/"))
    fill_idea(page, challenge=challenge, title=XSS_TITLE, body=XSS_BODY, tags=f"{XSS_TAG}, fahrrad")
    submit(page)
    idea = Idea.objects.get(author=cast["anna"])
    assert idea.title == XSS_TITLE
    page.wait_for_url(url(idea_url(idea)))
    screenshot(page, "01-detail")

    def check_detail():
        assert page.locator("main h1#idea-title").inner_text() == XSS_TITLE
        body = page.locator("main .idea-body")
        assert body.inner_text().strip() == XSS_BODY
        assert body.locator("img").count() == 0
        assert page.locator("main .idea-badges a.tag").filter(has_text="#" + XSS_TAG).count() == 1
        assert page.locator("main .idea-badges b").count() == 0
        assert page.locator("main script").count() == 0
        assert page.title().startswith(XSS_TITLE)
        assert_no_script_ran(page, "the idea page")

    check_detail()

    # Ben comments with a payload; it shows as text.
    ben = new_page()
    log_in(ben, url, "ben@example.org", PASSWORD)
    ben.goto(url(idea_url(idea)))
    assert_no_script_ran(ben, "the idea page (Ben)")
    ben.locator("main form.comment-form textarea[name=body]").fill(XSS_COMMENT)
    submit(ben, "main form.comment-form")
    comment = Comment.objects.get(idea=idea)
    text = ben.locator(f"#comment-{comment.pk} .prose").inner_text().strip()
    assert text == XSS_COMMENT
    assert ben.locator(f"#comment-{comment.pk} script").count() == 0
    assert_no_script_ran(ben, "the idea page with the comment")
    # The reply box names the commenter; the comment-edit page shows the text in its field.
    ben.locator(f"a[href='/editions/{SLUG}/comments/{comment.pk}/edit/']").click()
    ben.wait_for_url(re.compile(r"/comments/\d+/edit/$"))
    assert ben.locator("main textarea[name=body]").input_value() == XSS_COMMENT
    assert XSS_TITLE in ben.locator("main").inner_text()
    assert_no_script_ran(ben, "the comment edit page")

    # Ben reports the idea; the report page names it as text.
    ben.goto(url(f"/editions/{SLUG}/ideas/{idea.pk}/report/"))
    assert ben.locator("main #reported-heading").inner_text() == XSS_TITLE
    assert_no_script_ran(ben, "the report page")
    ben.locator("main textarea[name=reason]").fill("Das sieht nach einem Angriff aus.")
    submit(ben)
    ben.goto(url(f"/editions/{SLUG}/comments/{comment.pk}/report/"))
    assert XSS_COMMENT in ben.locator("main blockquote").inner_text()
    assert_no_script_ran(ben, "the comment report page")

    # The similar box shows the title as text while someone types.
    ben.goto(url(f"/editions/{SLUG}/ideas/new/"))
    type_title(ben, "script window xss")
    wait_for_similar(ben, idea)
    assert XSS_TITLE in ben.locator("#similar").inner_text()
    assert ben.locator("#similar script").count() == 0
    screenshot(ben, "02-similar")
    assert_no_script_ran(ben, "the submit form's similar box")

    # Anna: the list, its tag filter and the tag link, the edit form, the history.
    page.reload()
    check_detail()
    assert XSS_COMMENT in page.locator(f"#comment-{comment.pk}").inner_text()
    page.goto(url(f"/editions/{SLUG}/ideas/"))
    card = page.locator(f"#idea-{idea.pk}")
    assert card.locator("h3 a").inner_text() == XSS_TITLE
    assert "#" + XSS_TAG in card.locator(".idea-badges").inner_text()
    assert page.locator("#id_tag option").filter(has_text=XSS_TAG).count() == 1
    assert_no_script_ran(page, "the idea list")
    screenshot(page, "03-list")
    card.locator("a.tag").filter(has_text=XSS_TAG).click()
    page.wait_for_url(re.compile(r"\?tag="))
    assert page.locator("#id_tag").input_value() == XSS_TAG
    assert page.locator(f"#idea-{idea.pk}").count() == 1
    assert_no_script_ran(page, "the list filtered by the tag")
    page.goto(url(idea_url(idea, "edit/")))
    assert page.locator("#id_title").input_value() == XSS_TITLE
    assert page.locator("#id_body").input_value() == XSS_BODY
    assert XSS_TAG in page.locator("#id_tags").input_value()
    page.locator("#id_body").fill(XSS_BODY + "\n\n" + XSS_COMMENT)
    submit(page)
    page.goto(url(idea_url(idea, "history/")))
    assert XSS_TITLE in page.locator("main h1").inner_text()
    assert XSS_COMMENT in page.locator("main .diff ins").last.inner_text()
    assert page.locator("main .diff img, main .diff script").count() == 0
    assert_no_script_ran(page, "the history")

    # The organizer: moderation queue, merge page (similar ideas), themes.
    Theme.objects.create(edition=edition, label="fahrrad, bahnhof", keywords=["fahrrad", "bahnhof"], size=2,
                         computed_at=timezone.now())
    Idea.objects.filter(edition=edition).update(theme=Theme.objects.get(edition=edition))
    olga = new_page()
    log_in(olga, url, "olga@example.org", PASSWORD)
    olga.goto(url(f"/editions/{SLUG}/moderation/"))
    assert olga.locator("main").get_by_text(XSS_TITLE, exact=True).count() >= 1
    assert olga.locator("main blockquote").filter(has_text=XSS_BODY).count() == 1
    assert olga.locator("main img, main section script").count() == 0
    assert_no_script_ran(olga, "the moderation queue")
    screenshot(olga, "04-queue")
    olga.goto(url(idea_url(cast["existing"], "merge/")))
    assert_no_script_ran(olga, "the merge page")
    olga.goto(url(idea_url(idea, "merge/")))
    assert XSS_TITLE in olga.locator("main .lead").inner_text()
    assert_no_script_ran(olga, "the merge page of the payload idea")
    olga.goto(url(f"/editions/{SLUG}/themes/"))
    assert olga.locator("main .theme-ideas a").filter(has_text=XSS_TITLE).count() == 1
    assert_no_script_ran(olga, "the themes page")
    olga.goto(url(f"/editions/{SLUG}/moderation/ideas/{idea.pk}/hide/"))
    assert olga.locator("main #target-heading").inner_text() == XSS_TITLE
    assert_no_script_ran(olga, "the hide page")


# --- Accessibility ----------------------------------------------------------------------------


def test_idea_pages_have_no_serious_accessibility_violations(page, url, screenshot, new_page, cast, request):
    """German pages; every failing page is reported at once (see test_accessibility.Audit)."""
    edition, existing, challenge = cast["edition"], cast["existing"], cast["challenge"]
    anna_idea = services.idea_create(
        actor=cast["anna"], challenge=challenge, title=A_TITLE, body="Am **Hauptbahnhof** fehlen Stellplätze.",
        tags=["mobilität", "bahnhof"], builds_on=[existing],
    )
    services.idea_update(actor=cast["anna"], idea=anna_idea, title=A_TITLE_EDITED,
                         body="Am **Hauptbahnhof** fehlen 200 Stellplätze.", tags=["mobilität"], note="Zahl ergänzt")
    ben_idea = services.idea_create(actor=cast["ben"], challenge=challenge, title="Ladestation für Lastenräder",
                                    builds_on=[anna_idea])
    comment = services.comment_create(actor=cast["ben"], idea=anna_idea, body="Wer wartet *das*?")
    reply = services.comment_create(actor=cast["anna"], idea=anna_idea, body="Der Fahrradclub.", parent=comment)
    theme = Theme.objects.create(edition=edition, label="fahrradständer, bahnhof", keywords=["fahrradständer"],
                                 size=3, computed_at=timezone.now() - timedelta(minutes=5))
    Idea.objects.filter(edition=edition).update(theme=theme)

    audit = Audit(page, screenshot, request.node.name)
    log_in(page, url, "anna@example.org", PASSWORD)
    assert page.evaluate("document.documentElement.lang") == "de"
    page.goto(url(f"/editions/{SLUG}/ideas/"))
    audit("01-list")
    page.goto(url(f"/editions/{SLUG}/challenges/{challenge.slug}/ideas/"))
    audit("02-challenge-list")
    page.goto(url(f"/editions/{SLUG}/ideas/new/"))
    audit("03-form-empty")
    submit(page)
    assert page.locator("main .notice-error").count() == 1
    audit("04-form-with-errors")
    fill_idea(page, challenge=challenge, title="Fahrradständer am Hauptbahnhof")
    wait_for_similar(page, existing)
    audit("05-form-with-similar")
    page.goto(url(idea_url(anna_idea)))
    assert page.locator("main ul.replies .comment").count() == 1
    assert page.locator("main section.relations li").count() == 2
    page.locator("main details.reply-box > summary").first.click()
    audit("06-detail-comments-relations")
    page.goto(url(idea_url(anna_idea, "history/")))
    assert page.locator("main .diff ins").count() >= 1
    audit("07-history-diff")
    page.goto(url(idea_url(anna_idea, "edit/")))
    audit("08-edit-form")
    page.goto(url(f"/editions/{SLUG}/themes/"))
    audit("09-themes")

    ben = new_page()
    log_in(ben, url, "ben@example.org", PASSWORD)
    ben.goto(url(f"/editions/{SLUG}/ideas/{anna_idea.pk}/report/"))
    audit.page = ben
    audit("10-report-form")
    submit(ben)  # without a reason
    assert ben.locator("main .notice-error").count() == 1
    audit("11-report-form-with-errors")
    ben.locator("main textarea[name=reason]").fill("Doppelt eingereicht, bitte zusammenführen.")
    submit(ben)
    ben.goto(url(f"/editions/{SLUG}/comments/{reply.pk}/report/"))
    ben.locator("main textarea[name=reason]").fill("Unfreundlich.")
    submit(ben)

    olga = new_page()
    log_in(olga, url, "olga@example.org", PASSWORD)
    audit.page = olga
    olga.goto(url(f"/editions/{SLUG}/moderation/"))
    assert olga.locator("main article.card").count() == 2
    audit("12-moderation-queue")
    olga.goto(url(idea_url(anna_idea)))
    audit("13-detail-as-organizer")
    olga.goto(url(idea_url(anna_idea, "merge/")))
    audit("14-merge")
    olga.locator("#id_target").fill("999999")
    submit(olga)
    audit("15-merge-with-errors")
    olga.locator("#id_target").fill(str(existing.pk))
    submit(olga)
    olga.goto(url(idea_url(anna_idea)))
    audit("16-detail-merged")
    assert ben_idea.pk  # Ben's idea is part of the relations audited above

    audit.check()


# --- Phone ------------------------------------------------------------------------------------


def test_idea_list_and_detail_fit_a_phone(new_page, url, screenshot, cast):
    challenge = cast["challenge"]
    # German compounds and a long link are what breaks narrow layouts.
    idea = services.idea_create(
        actor=cast["anna"], challenge=challenge,
        title="Fahrradabstellanlagenförderprogramm für Stadtteilbibliotheken und Bürgerämter",
        body="Siehe https://www.example.org/verkehrsplanung/fahrradabstellanlagen/foerderprogramm-2025/antrag.pdf"
             "\n\nDie Radverkehrsinfrastrukturfinanzierungsrichtlinie hilft.",
        tags=["radverkehrsinfrastruktur", "bürgerbeteiligung"], builds_on=[cast["existing"]],
    )
    comment = services.comment_create(actor=cast["ben"], idea=idea, body="Gute Idee!")
    services.comment_create(actor=cast["anna"], idea=idea, body="Danke!", parent=comment)

    phone = new_page(viewport=PHONE)
    log_in(phone, url, "ben@example.org", PASSWORD)
    problems = []
    for name, path in [
        ("list", f"/editions/{SLUG}/ideas/"),
        ("challenge-list", f"/editions/{SLUG}/challenges/{challenge.slug}/ideas/"),
        ("detail", idea_url(idea)),
        ("detail-short-words", idea_url(cast["existing"])),
    ]:
        phone.goto(url(path))
        if name.startswith("detail") and phone.locator("main details.reply-box").count():
            phone.locator("main details.reply-box > summary").first.click()
        screenshot(phone, name)
        result = horizontal_overflow(phone)
        if result["scrollWidth"] > result["width"]:
            problems.append(f"{name} ({path}) is {result['scrollWidth']}px wide on a {result['width']}px screen; "
                            "sticking out:\n  " + "\n  ".join(result["culprits"]))
    assert not problems, "\n".join(problems)
