"""Organizers set up evaluation in the admin (settings, criteria) and read the audit trail
(supports, ratings, comparisons: who and when) of the editions they organize."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organisatoren"
PERMISSIONS = {
    "evaluation": {
        "evaluationsettings": ["add", "change", "view"],
        "criterion": ["add", "change", "delete", "view"],
        "jurymember": ["view"],
        "support": ["view"],
        "rating": ["view"],
        "juryscore": ["view"],
        "comparison": ["view"],
    },
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("registrations", "0002_organizers_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
