from django.urls import path

from incidents.api import public, staff

urlpatterns = [
    path("categories/", public.CategoryListApi.as_view(), name="categories-list"),
    path("incidents/", public.IncidentsApi.as_view(), name="incidents"),
    path(
        "incidents/duplicates/", public.IncidentDuplicatesApi.as_view(), name="incidents-duplicates"
    ),
    path(
        "incidents/photo-metadata/",
        public.PhotoMetadataApi.as_view(),
        name="incidents-photo-metadata",
    ),
    path(
        "incidents/<str:tracking_code>/",
        public.IncidentDetailApi.as_view(),
        name="incidents-detail",
    ),
    path(
        "incidents/<str:tracking_code>/support/",
        public.IncidentSupportApi.as_view(),
        name="incidents-support",
    ),
    path(
        "incidents/<str:tracking_code>/rate/",
        public.IncidentRateApi.as_view(),
        name="incidents-rate",
    ),
    path(
        "incidents/<str:tracking_code>/reopen/",
        public.IncidentReopenApi.as_view(),
        name="incidents-reopen",
    ),
    path(
        "incidents/<str:tracking_code>/information/",
        public.IncidentProvideInformationApi.as_view(),
        name="incidents-provide-information",
    ),
    path("staff/incidents/", staff.StaffIncidentListApi.as_view(), name="staff-incidents-list"),
    path(
        "staff/incidents/<str:tracking_code>/",
        staff.StaffIncidentDetailApi.as_view(),
        name="staff-incidents-detail",
    ),
    *(
        path(
            f"staff/incidents/<str:tracking_code>/{action}/",
            view.as_view(),
            name=f"staff-incidents-{action}",
        )
        for action, view in (
            ("acknowledge", staff.StaffAcknowledgeApi),
            ("assign", staff.StaffAssignApi),
            ("start", staff.StaffStartApi),
            ("request-information", staff.StaffRequestInformationApi),
            ("transfer", staff.StaffTransferApi),
            ("answer", staff.StaffAnswerApi),
            ("resolve", staff.StaffResolveApi),
            ("close", staff.StaffCloseApi),
            ("reject", staff.StaffRejectApi),
            ("mark-duplicate", staff.StaffMarkDuplicateApi),
            ("priority", staff.StaffSetPriorityApi),
            ("notes", staff.StaffAddNoteApi),
            ("hide", staff.StaffHideApi),
            ("hide-text", staff.StaffHideTextApi),
            ("unhide", staff.StaffUnhideApi),
            ("unhide-text", staff.StaffUnhideTextApi),
        )
    ),
    path(
        "staff/photos/<int:photo_id>/hide/",
        staff.StaffPhotoHideApi.as_view(),
        name="staff-photos-hide",
    ),
    path(
        "staff/photos/<int:photo_id>/unhide/",
        staff.StaffPhotoUnhideApi.as_view(),
        name="staff-photos-unhide",
    ),
]
