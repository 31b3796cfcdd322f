from helpathon.editions.rules import may


def test_it_lets_nobody_submit_ideas_before_the_event(edition, participant, organizer, visitor):
    for user in (participant, organizer, visitor):
        assert not may(user, "submit_idea", edition)
