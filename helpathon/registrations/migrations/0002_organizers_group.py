"""The organizers group: staff members in it edit the editions they organize in the admin and
see their registrations. Which editions is decided by Edition.organizers (see editions.admin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organisatoren"
PERMISSIONS = {
    "editions": {
        "edition": ["add", "change", "view"],
        "challenge": ["add", "change", "delete", "view"],
        "phase": ["add", "change", "delete", "view"],
        "phasechange": ["view"],
        "partner": ["add", "change", "view"],
    },
    "registrations": {"registration": ["change", "view"]},
}


def create_group(apps, schema_editor):
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
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
        ("editions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
