"""Leaders read every task; administrators manage every task.

The groups are the ones citizen feedback created ("Lãnh đạo", "Quản trị viên"); they are created
here too when missing, so this app does not depend on that one's migrations. Reversing removes
only the permissions this migration added.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS_GROUP = "Lãnh đạo"
ADMINISTRATORS_GROUP = "Quản trị viên"

LEADER_PERMISSIONS = ["view_all_tasks"]
ADMINISTRATOR_PERMISSIONS = [
    "view_all_tasks",
    "manage_all_tasks",
    *(
        f"{action}_{model}"
        for model in ("directive", "task")
        for action in ("add", "change", "delete", "view")
    ),
    "view_taskevent",
    "view_extensionrequest",
]


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return list(
        Permission.objects.filter(content_type__app_label="directives", codename__in=codenames)
    )


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); this migration
    # needs them now, so it creates them first (the call is idempotent).
    app_config = apps.get_app_config("directives")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    leaders, _ = Group.objects.get_or_create(name=LEADERS_GROUP)
    leaders.permissions.add(*_permissions(apps, LEADER_PERMISSIONS))
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    administrators.permissions.add(*_permissions(apps, ADMINISTRATOR_PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in (
        (LEADERS_GROUP, LEADER_PERMISSIONS),
        (ADMINISTRATORS_GROUP, ADMINISTRATOR_PERMISSIONS),
    ):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0001_directives_tasks_events"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
