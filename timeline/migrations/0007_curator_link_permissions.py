"""Curators may attach passages to sources, places and organisations.

Those links became models of their own in 0004, after the curator group was
made in 0003, so the group held no permission on them and the admin hid their
passage rows from curators. Like the other rows that link records together,
curators may view, add, change and delete them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "curator"
LINK_MODELS = ["citation", "placepassage", "organisationpassage"]
CODENAMES = [f"{action}_{model}" for model in LINK_MODELS for action in ("view", "add", "change", "delete")]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.using(db).filter(content_type__app_label="timeline", codename__in=CODENAMES))
    missing = set(CODENAMES) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Missing permissions for the curator group: {sorted(missing)}")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(content_type__app_label="timeline", codename__in=CODENAMES)
    for group in Group.objects.using(db).filter(name=GROUP):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0006_passage_links_history")]

    operations = [migrations.RunPython(grant, revoke)]
