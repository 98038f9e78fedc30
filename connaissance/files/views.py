from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from .models import StoredFile
from .services import open_stored


def download(request, file_id):
    """Serve a private file after the permission check; anything denied is a 404."""
    stored = get_object_or_404(StoredFile.objects.select_related("owner_type"), pk=file_id)
    if not request.user.has_perm("files.download_storedfile", stored):
        raise Http404
    response = FileResponse(
        open_stored(stored), as_attachment=True, filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
