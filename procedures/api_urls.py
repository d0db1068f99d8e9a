from django.urls import path

from procedures import apis, workflow

urlpatterns = [
    path("procedures/", apis.ProcedureListApi.as_view(), name="procedures-list"),
    path(
        "procedures/<str:code>/appointment/",
        apis.AppointmentApi.as_view(),
        name="procedures-appointment",
    ),
    path("dossiers/lookup/", apis.DossierLookupApi.as_view(), name="dossiers-lookup"),
    path("dossiers/by-area/", apis.DossiersByAreaApi.as_view(), name="dossiers-by-area"),
    path("dossiers/stats/", apis.DossierStatisticsApi.as_view(), name="dossiers-stats"),
    path("agencies/", apis.AgencyListApi.as_view(), name="agencies-list"),
    path("staff/dossiers/", apis.StaffDossierReceiveApi.as_view(), name="staff-dossiers-receive"),
    path(
        "staff/dossiers/<str:code>/",
        apis.StaffDossierDetailApi.as_view(),
        name="staff-dossiers-detail",
    ),
    *(
        path(
            f"staff/dossiers/<str:code>/{action.replace('_', '-')}/",
            apis.StaffDossierActionApi.as_view(action_name=action),
            name=f"staff-dossiers-{action.replace('_', '-')}",
        )
        for action in workflow.TRANSITIONS
    ),
]
