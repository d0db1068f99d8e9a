from django.urls import path

from incidents import apis

urlpatterns = [
    path("categories/", apis.CategoryListApi.as_view(), name="categories-list"),
    path("incidents/", apis.IncidentsApi.as_view(), name="incidents"),
    path(
        "incidents/duplicates/", apis.IncidentDuplicatesApi.as_view(), name="incidents-duplicates"
    ),
    path(
        "incidents/photo-metadata/",
        apis.PhotoMetadataApi.as_view(),
        name="incidents-photo-metadata",
    ),
    path(
        "incidents/<str:tracking_code>/",
        apis.IncidentDetailApi.as_view(),
        name="incidents-detail",
    ),
    path(
        "incidents/<str:tracking_code>/support/",
        apis.IncidentSupportApi.as_view(),
        name="incidents-support",
    ),
    path(
        "incidents/<str:tracking_code>/rate/", apis.IncidentRateApi.as_view(), name="incidents-rate"
    ),
    path(
        "incidents/<str:tracking_code>/reopen/",
        apis.IncidentReopenApi.as_view(),
        name="incidents-reopen",
    ),
    path(
        "incidents/<str:tracking_code>/information/",
        apis.IncidentProvideInformationApi.as_view(),
        name="incidents-provide-information",
    ),
    path("staff/incidents/", apis.StaffIncidentListApi.as_view(), name="staff-incidents-list"),
    path(
        "staff/incidents/<str:tracking_code>/",
        apis.StaffIncidentDetailApi.as_view(),
        name="staff-incidents-detail",
    ),
    *(
        path(
            f"staff/incidents/<str:tracking_code>/{action}/",
            view.as_view(),
            name=f"staff-incidents-{action}",
        )
        for action, view in (
            ("acknowledge", apis.StaffAcknowledgeApi),
            ("assign", apis.StaffAssignApi),
            ("start", apis.StaffStartApi),
            ("request-information", apis.StaffRequestInformationApi),
            ("transfer", apis.StaffTransferApi),
            ("answer", apis.StaffAnswerApi),
            ("resolve", apis.StaffResolveApi),
            ("close", apis.StaffCloseApi),
            ("reject", apis.StaffRejectApi),
            ("mark-duplicate", apis.StaffMarkDuplicateApi),
            ("priority", apis.StaffSetPriorityApi),
            ("notes", apis.StaffAddNoteApi),
            ("hide", apis.StaffHideApi),
            ("hide-text", apis.StaffHideTextApi),
        )
    ),
    path(
        "staff/photos/<int:photo_id>/hide/",
        apis.StaffPhotoHideApi.as_view(),
        name="staff-photos-hide",
    ),
]
