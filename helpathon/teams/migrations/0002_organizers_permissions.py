"""Organizers set team settings and look after the teams of the editions they organize."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organisatoren"
PERMISSIONS = {
    "teams": {
        "teamsettings": ["add", "change", "view"],
        "team": ["change", "delete", "view"],
        "membership": ["view"],
        "joinrequest": ["view"],
        "teamseeker": ["view"],
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
        ("teams", "0001_initial"),
        ("registrations", "0002_organizers_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
