"""The planners' group ("Chuyên viên quy hoạch"), and the report builder's permission for it, the
leaders and the administrators.

Reversible: going back removes the permission from the two existing groups (which belong to
incidents' migrations and stay) and deletes the planners' group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PLANNERS_GROUP = "Chuyên viên quy hoạch"
LEADERS_GROUP = "Lãnh đạo"
ADMINISTRATORS_GROUP = "Quản trị viên"
CODENAME = "use_spatial_reports"


def _permission(apps):
    # Permissions are created after all migrations (post_migrate); this one is needed now.
    app_config = apps.get_app_config("spatial_reports")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="spatial_reports", codename=CODENAME)


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permission = _permission(apps)
    for name in (PLANNERS_GROUP, LEADERS_GROUP, ADMINISTRATORS_GROUP):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="spatial_reports", codename=CODENAME
    ).first()
    if permission is not None:
        for group in Group.objects.filter(name__in=[LEADERS_GROUP, ADMINISTRATORS_GROUP]):
            group.permissions.remove(permission)
    Group.objects.filter(name=PLANNERS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("spatial_reports", "0001_export_jobs"),
        ("incidents", "0002_leader_and_administrator_groups"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
