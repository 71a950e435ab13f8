"""The ``curator`` group: exactly the permissions curators need.

Curators view, add and change every timeline record. They may delete only the
rows that link records together (participations, memberships, relations between
events), which the admin's inlines remove. They never delete sources, passages,
events, people or organisations (unpublish instead), and hold no permission on
users or groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "curator"
MODELS = [
    "source",
    "passage",
    "place",
    "period",
    "organisation",
    "actor",
    "membership",
    "event",
    "participation",
    "eventrelation",
    "quote",
]
DELETABLE = ["membership", "participation", "eventrelation"]


def codenames():
    return [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change")] + [
        f"delete_{model}" for model in DELETABLE
    ]


def create_curator_group(apps, schema_editor):
    # Permissions are normally created after all migrations run; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    wanted = codenames()
    permissions = list(
        Permission.objects.using(db).filter(content_type__app_label="timeline", codename__in=wanted)
    )
    missing = set(wanted) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Missing permissions for the curator group: {sorted(missing)}")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.set(permissions)


def delete_curator_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0002_search_vector"),
    ]

    operations = [migrations.RunPython(create_curator_group, delete_curator_group)]
