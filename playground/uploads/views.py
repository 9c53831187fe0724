"""Uploading a file for a request, and reading an uploaded file back (thumbnails, players,
downloads)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from playground.uploads.kinds import UPLOAD_KINDS
from playground.uploads.models import Upload
from playground.uploads.ranges import UNSATISFIABLE, byte_range
from playground.uploads.services import UploadRefused, filename_clean, upload_create


@require_POST
@login_required
def upload_create_view(request: HttpRequest) -> JsonResponse:
    """``POST /uploads/`` with the multipart fields ``file`` and ``purpose``: the reference
    to put in the request, or 400 with the reason in words."""
    purpose = request.POST.get("purpose", "")
    kind = UPLOAD_KINDS.get(purpose)
    if kind is None:
        return _refused(
            _("purpose: must be one of %(allowed)s.") % {"allowed": ", ".join(UPLOAD_KINDS)}
        )
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _refused(_("file: choose a file to upload."))
    name = filename_clean(uploaded.name or "")
    # Refused by its size before a byte is read into memory.
    if uploaded.size is not None and uploaded.size > kind.max_bytes:
        return _refused(kind.too_big(name, uploaded.size))
    try:
        upload = upload_create(
            data=uploaded.read(), filename=name, purpose=purpose, user=request.user
        )
    except UploadRefused as refused:
        return _refused(str(refused))
    return JsonResponse(
        {
            "reference": upload.reference,
            "filename": upload.filename,
            "size": upload.size,
            "media_type": upload.media_type,
        }
    )


def _refused(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@require_GET
@login_required
def upload_file_view(request: HttpRequest, sha256: str) -> HttpResponse:
    """``GET /uploads/<sha256>/``: the file, for a signed-in user who knows its hash (the
    hash is the capability: it cannot be guessed without the file's content)."""
    upload = Upload.objects.filter(sha256=sha256).first()
    if upload is None:
        raise Http404(_("No uploaded file has this content."))
    data = bytes(upload.data)
    asked = byte_range(request.headers.get("Range", ""), len(data))
    if asked is UNSATISFIABLE:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{len(data)}"
        return response
    if isinstance(asked, tuple):
        # A player seeking: the part it asked for (browsers' <audio> seek this way).
        first, last = asked
        response = HttpResponse(data[first : last + 1], content_type=upload.media_type, status=206)
        response["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
    else:
        response = HttpResponse(data, content_type=upload.media_type)
    response["Accept-Ranges"] = "bytes"
    disposition = content_disposition_header(request.GET.get("download") == "1", upload.filename)
    if disposition:  # None only for an empty name, which filename_clean never stores
        response["Content-Disposition"] = disposition
    # Content-addressed: the bytes behind this URL never change.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, an uploaded file runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
