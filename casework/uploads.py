"""Evidence uploads, checked once for every mechanism: kept for the callers that import it from here.
The checks (type from the bytes, size, archives, virus-scanner hook) live in casework.attachments.sniffing."""

from casework.attachments.sniffing import MAX_BYTES, TYPES, Checked, check_upload

__all__ = ["MAX_BYTES", "TYPES", "Checked", "check_upload"]
