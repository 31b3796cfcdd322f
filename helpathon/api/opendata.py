"""Open data: an edition's dataset as JSON, the same as /editions/<slug>/open-data.json (see
`results.opendata` for what it holds and what it leaves out). Public for published editions; a
draft answers 404 like a slug that does not exist, except to its organizers."""

from django.http import HttpRequest
from ninja import Router

from helpathon.api.schemas import ErrorOut
from helpathon.editions.selectors import edition_get
from helpathon.results import opendata

router = Router(tags=["open data"])


@router.get(
    "/editions/{slug}/open-data",
    response={200: dict, 404: ErrorOut},
    operation_id="open_data",
    url_name="open_data",
)
def open_data(request: HttpRequest, slug: str):
    """The edition's open data: `edition`, `licence` (id, name, url), `generated_at`, `withheld`
    (tables left empty for now, with the reason), and the tables `challenges`, `ideas`,
    `idea_versions`, `idea_links`, `comments`, `criteria`, `evaluations`, `jury`, `teams`,
    `prototypes` and `templates`, each a list of objects. No personal data: people appear by
    display name only if they agreed, otherwise by a pseudonym; evaluations only as totals."""
    edition = edition_get(slug=slug, user=request.user)
    return opendata.build(edition)
