def test_template_made(template, submitted_team):
    assert template.prototype.team == submitted_team
    assert template.status == "received"
    assert template.status_changes.count() == 1
