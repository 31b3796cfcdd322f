import pytest
from tests.ideas.conftest import ideation, make_idea  # noqa
pytestmark = pytest.mark.django_db

def test_dbg(client, ideation, participant, make_idea):
    make_idea()
    url = f"/api/v1/editions/{ideation.slug}/ideas"
    for q in ["status=", "challenge=", "seed=", "sort=", "tag=", "page=", "status=&sort=&q=&per_page=", "status=nope", "sort=random&seed=", "per_page=0"]:
        r = client.get(url + "?" + q)
        print(q, r.status_code, r.content[:150])
