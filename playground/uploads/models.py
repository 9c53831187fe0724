"""One row per distinct file content: the same file uploaded twice is stored once."""

from django.conf import settings
from django.db import models


class Upload(models.Model):
    # The file's SHA-256 in hex: its identity, and the reference's ``upload:<sha256>``.
    sha256 = models.CharField(max_length=64, unique=True)
    # In the database rather than on disk: every process of a several-worker deployment
    # reads it without a shared volume, and the size limit (kinds.py) keeps rows bounded.
    data = models.BinaryField()
    size = models.PositiveBigIntegerField()
    # Read from the file's first bytes (kinds.py), never from the name or the browser's claim.
    media_type = models.CharField(max_length=100)
    # The name it was first uploaded with: snippets and downloads use it.
    filename = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once a recorded run or a saved preset refers to it; unkept uploads (a run that
    # was refused, a file picked and then replaced) are purged after a day.
    kept = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["kept", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"

    @property
    def reference(self) -> str:
        return f"upload:{self.sha256}"
