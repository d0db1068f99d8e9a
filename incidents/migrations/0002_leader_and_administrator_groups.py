"""The two staff groups: leaders (read every report) and administrators (handle every report).

Leaders are read-only: `view_all_incidents` only. Administrators get `manage_all_incidents` and the
model permissions of the admin site for categories, reports and unit memberships.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS_GROUP = "Lãnh đạo"
ADMINISTRATORS_GROUP = "Quản trị viên"

LEADER_PERMISSIONS = [("incidents", "view_all_incidents")]
ADMINISTRATOR_PERMISSIONS = [
    ("incidents", "view_all_incidents"),
    ("incidents", "manage_all_incidents"),
    *(
        ("incidents", f"{action}_{model}")
        for model in ("category", "categoryattribute")
        for action in ("add", "change", "delete", "view")
    ),
    *(
        ("incidents", f"{action}_{model}")
        for model in ("incident", "incidentphoto", "incidentevent", "incidentsupporter")
        for action in ("change", "view")
    ),
    ("wards", "view_agency"),
    *(("wards", f"{action}_agencymembership") for action in ("add", "change", "delete", "view")),
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run (post_migrate); this
    # migration needs them now, so it creates them first (the call is idempotent).
    for label in ("incidents", "wards"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        found = []
        for app_label, codename in pairs:
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    leaders, _ = Group.objects.get_or_create(name=LEADERS_GROUP)
    leaders.permissions.add(*permissions(LEADER_PERMISSIONS))
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    administrators.permissions.add(*permissions(ADMINISTRATOR_PERMISSIONS))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[LEADERS_GROUP, ADMINISTRATORS_GROUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_categories_incidents_events"),
        ("wards", "0002_agency_membership"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
