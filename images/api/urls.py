from django.urls import path

from novasite.versions import ImageVersions

from . import schema_views, views

urlpatterns = [
    path("", ImageVersions.as_view()),
    path("/", ImageVersions.as_view()),
    path("/versions", ImageVersions.as_view()),
    path("/v2/images", views.ImagesView.as_view()),
    path("/v2/images/<str:image_id>", views.ImageView.as_view()),
    path("/v2/images/<str:image_id>/file", views.ImageFileView.as_view()),
    path("/v2/images/<str:image_id>/tasks", views.ImageTasksView.as_view()),
    path("/v2/schemas/<path:name>", schema_views.SchemaView.as_view()),
    path("/v2/metadefs/namespaces", schema_views.MetadefNamespacesView.as_view()),
]
