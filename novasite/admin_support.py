"""The Django admin's road to the service layer, written once for every app's admin.

The admin is one more client of the service layer, like the API and the management commands:

- it acts as an operator ``Caller`` built from the logged-in staff user (``staff_caller``);
- every add, change and delete (inline rows and the bulk delete action included) is a service
  call, made by the hooks of ``ServiceLayerAdmin`` and ``ServiceLayerInline``;
- the form runs only the model's own rules (``Model.clean()``): field types are the form's,
  and everything else (bounds, uniqueness, state, quota, policy) is the service's, refused in
  the API's words;
- a refusal (``core.exceptions.ServiceError``, a state rule's error) rolls the whole request
  back and shows the form again with the service's message as its error, so nothing is half
  written and no "was changed successfully" follows a refusal. A refused delete is an error
  message, and a bulk delete deletes each object the service lets go and names the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet, construct_instance
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework import exceptions as drf

from core.errors import format_for, message_of
from core.exceptions import BadRequest, PolicyNotAuthorized, ServiceError
from core.principal import Caller

M = TypeVar("M", bound=models.Model)
P = TypeVar("P", bound=models.Model)

#: Request attributes: the operator's Caller, and the refusal the form shows on its second pass.
CALLER_ATTRIBUTE = "_novasite_operator"
REFUSAL_ATTRIBUTE = "_novasite_refusal"
POSITIVE_FIELDS = (models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField)
#: Caller.user_id has room for a Keystone id (64 characters).
MAX_USER_ID = 64


def operator_caller(name: str, *, is_admin: bool = True, request_id: str = "") -> Caller:
    """An operator acting outside any project (the admin console, a management command):
    ``operator:<name>`` as its user, no project, admin when ``is_admin``."""
    return Caller(
        user_id=f"operator:{name}"[:MAX_USER_ID],
        project_id="",
        is_admin=is_admin,
        request_id=request_id or f"req-{uuid.uuid4()}",
    )


def staff_caller(request: HttpRequest) -> Caller:
    """The logged-in staff user as the service layer sees it (staff are admins), under the
    request's id (novasite.middleware sets it); built once per request."""
    caller = getattr(request, CALLER_ATTRIBUTE, None)
    if not isinstance(caller, Caller):
        user = request.user
        caller = operator_caller(
            user.get_username(), is_admin=bool(user.is_staff), request_id=getattr(request, "request_id", "")
        )
        setattr(request, CALLER_ATTRIBUTE, caller)
    return caller


def in_project(caller: Caller, project_id: str) -> Caller:
    """The operator acting in ``project_id``, as an admin token scoped to it would (for what
    the API creates in the caller's own project: server groups)."""
    return Caller(caller.user_id, project_id, caller.is_admin, caller.request_id)


def is_refusal(error: Exception) -> bool:
    """Whether ``error`` is the service layer refusing (a core.exceptions error, the state
    rules' included), as core.errors decides."""
    return isinstance(error, ServiceError)


def refusal_message(error: Exception, service: str) -> str:
    """What the API answers for ``error``: a policy refusal in the words of the service whose
    URL prefix is ``service`` (core.errors), any other refusal its own message."""
    if isinstance(error, PolicyNotAuthorized):
        return format_for(service).policy_message(error.rule)
    return str(error)


def as_service_error(check: Callable[[], Any]) -> Any:
    """Run an API body reader that raises DRF's ValidationError (compute's older readers) and
    return its result; its refusal becomes the BadRequest the API would have answered."""
    try:
        return check()
    except drf.ValidationError as error:
        raise BadRequest(message_of(error.detail)) from None


def adopt(target: models.Model, saved: models.Model) -> None:
    """Make ``target`` (the form's instance) the row the service stored as ``saved``, so the
    admin's log entry, message and redirect name what was really written."""
    target.pk = saved.pk
    target.refresh_from_db()
    target._state.adding = False


class ServiceLayerForm(forms.ModelForm):
    """A model form that checks field types and the model's own rules (``clean()``) only.
    Uniqueness, bounds and every other rule are the service's: it refuses in the API's words,
    and a repeated grant or quota row may be a change rather than a clash."""

    def _post_clean(self) -> None:
        # Django's ModelForm runs the model's full_clean (field validators, unique checks and
        # constraints) here; only the instance and its clean() are wanted.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # django-stubs omit this private hook
        try:
            self.instance.clean()
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # as above


class ServiceLayerInlineFormSet(BaseInlineFormSet):
    """Inline rows: two equal new rows are the service's to refuse (the second add), too."""

    def validate_unique(self) -> None:
        return None


def _refused_form(form_class: type[forms.ModelForm], message: str) -> type[forms.ModelForm]:
    """``form_class`` whose validation fails with ``message`` (the second pass of a refusal)."""

    def clean(self: forms.ModelForm) -> dict[str, Any]:
        form_class.clean(self)
        raise ValidationError(message)

    return type(form_class.__name__, (form_class,), {"clean": clean})


class ServiceLayerInline(admin.TabularInline, Generic[M, P]):
    """An inline of rows that the service layer adds to and removes from their parent (the
    APIs have no "change" for a membership: a changed row is the old one removed and the new
    one added)."""

    form = ServiceLayerForm
    formset = ServiceLayerInlineFormSet
    extra = 0

    def service_add(self, caller: Caller, parent: P, row: M) -> M:
        """Add ``row`` to ``parent`` through the service; returns the stored row."""
        raise NotImplementedError

    def service_remove(self, caller: Caller, parent: P, row: M) -> None:
        """Remove ``row`` from ``parent`` through the service."""
        raise NotImplementedError


class ServiceLayerAdmin(admin.ModelAdmin, Generic[M]):
    """A model admin whose writes are service calls. Subclasses implement the hooks they
    allow (``service_create``, ``service_update``, ``service_delete``) and name in
    ``service`` the URL prefix of the API whose words a policy refusal takes."""

    form = ServiceLayerForm
    service: str = "/compute"

    # --- the hooks --------------------------------------------------------------------------

    def service_create(self, caller: Caller, form: forms.ModelForm) -> M:
        """Create the object the add form describes; returns the stored row."""
        raise NotImplementedError

    def service_update(self, caller: Caller, obj: M, form: forms.ModelForm) -> M:
        """Apply the change form (``form.changed_data``; the stored values are in
        ``form.initial``) to ``obj``; returns the stored row."""
        raise NotImplementedError

    def service_delete(self, caller: Caller, obj: M) -> None:
        """Delete ``obj``."""
        raise NotImplementedError

    # --- the ModelAdmin's writes, routed to the hooks -------------------------------------

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        caller = staff_caller(request)
        adopt(obj, self.service_update(caller, obj, form) if change else self.service_create(caller, form))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)  # sorts the rows into new, changed and deleted; writes nothing
        changed = [row for row, _ in formset.changed_objects]
        if not (changed or formset.new_objects or formset.deleted_objects):
            return  # a read-only inline, or nothing asked of it
        inline = self._service_inline(request, form.instance, formset.model)
        caller = staff_caller(request)
        for row in formset.deleted_objects:
            inline.service_remove(caller, form.instance, row)
        for row in changed:
            inline.service_remove(caller, form.instance, type(row)._default_manager.get(pk=row.pk))
        for row in [*changed, *formset.new_objects]:
            adopt(row, inline.service_add(caller, form.instance, row))

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        self.service_delete(staff_caller(request), obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        caller = staff_caller(request)
        for obj in queryset:
            self.service_delete(caller, obj)

    def _service_inline(self, request: HttpRequest, parent: M, model: type[models.Model]) -> ServiceLayerInline[Any, M]:
        for inline in self.get_inline_instances(request, parent):
            if isinstance(inline, ServiceLayerInline) and inline.model is model:
                return inline
        raise ValueError(f"no service inline for {model.__name__}")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A number's bounds are the service's (a negative vcpus is refused in Nova's words):
        the form only reads an integer."""
        if isinstance(db_field, POSITIVE_FIELDS):
            kwargs.setdefault("min_value", None)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- refusals -------------------------------------------------------------------------

    def get_form(self, request: HttpRequest, obj: M | None = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, REFUSAL_ATTRIBUTE, None)
        return form_class if refusal is None else _refused_form(form_class, refusal)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Django runs a POST in one transaction; a refusal rolls it back, and the form is
        shown again, bound to what the operator sent, with the refusal as its error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Exception as error:
            if request.method != "POST" or not is_refusal(error):
                raise
            setattr(request, REFUSAL_ATTRIBUTE, refusal_message(error, self.service))
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A refused delete (rolled back, log entry included) is an error on the object's page."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except Exception as error:
            if not is_refusal(error):
                raise
            self.message_user(request, refusal_message(error, self.service), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, set[str], Any]:
        """What goes with an object is the service's to decide (a user's tokens go with the
        user, as DELETE /v3/users does), so the rows it takes along need no delete
        permission of their own in the admin."""
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """Django's bulk delete, each object through ``service_delete``."""
        actions: dict[str, Any] = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_through_service, name, description)
        return actions

    def each_through_service(
        self, request: HttpRequest, objects: Iterable[M], write: Callable[[Caller, M], object], *, log: bool = False
    ) -> int:
        """Run ``write`` on each object, each in its own transaction (as the API takes one
        request per object): a refused object is left as it was and named in an error
        message. Returns how many were written."""
        caller = staff_caller(request)
        done = 0
        for obj in objects:
            try:
                with transaction.atomic():
                    if log:
                        self.log_deletions(request, self.model._default_manager.filter(pk=obj.pk))
                    write(caller, obj)
                done += 1
            except Exception as error:
                if not is_refusal(error):
                    raise
                self.message_user(request, f"{obj}: {refusal_message(error, self.service)}", messages.ERROR)
        return done


def delete_through_service(
    modeladmin: ServiceLayerAdmin[Any], request: HttpRequest, queryset: Any
) -> HttpResponse | None:
    """The bulk delete action: Django's confirmation page, then each object through the
    service; the success message counts only what was deleted."""
    if not request.POST.get("post"):
        return delete_selected(modeladmin, request, queryset)
    _, _, perms_needed, protected = modeladmin.get_deleted_objects(queryset, request)
    if perms_needed or protected:
        return delete_selected(modeladmin, request, queryset)  # Django's refusal page
    deleted = modeladmin.each_through_service(request, list(queryset), modeladmin.service_delete, log=True)
    if deleted:
        items = modeladmin.opts.verbose_name if deleted == 1 else modeladmin.opts.verbose_name_plural
        modeladmin.message_user(
            request, gettext("Successfully deleted %(count)d %(items)s.") % {"count": deleted, "items": items}
        )
    return None


class ReadOnlyMixin:
    """Records that workflows write (audit, accounting, state): viewable, never added,
    changed or deleted in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
