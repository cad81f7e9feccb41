"""The scheduler's admin endpoints; mounted by novasite/urls.py as
`path("scheduler", include("scheduling.api.urls"))`."""

from django.urls import path

from .views import WhyNotView

urlpatterns = [
    path("/why-not", WhyNotView.as_view(), name="scheduler-why-not"),
]
