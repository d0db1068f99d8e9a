from django.urls import path

from procedures import views

urlpatterns = [
    path("tra-cuu-ho-so/", views.lookup_page, name="procedures-lookup"),
    path("can-bo/ho-so/", views.queue_page, name="procedures-staff-queue"),
    path("can-bo/ho-so/thong-ke/", views.statistics_page, name="procedures-staff-statistics"),
    path("can-bo/ho-so/ban-do/", views.dossier_map_page, name="procedures-staff-map"),
    path(
        "can-bo/ho-so/<str:code>/giay-hen/",
        views.appointment_slip_page,
        name="procedures-staff-slip",
    ),
    path("can-bo/ho-so/<str:code>/", views.dossier_page, name="procedures-staff-dossier"),
]
