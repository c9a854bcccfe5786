"""Official letters (公文函件): numbering (文号), rendering (WeasyPrint, GB/T 9704-2012), storage, verification.

Issue a letter only through `casework.letters.services.issue_letter`; read one back with `letter_bytes`, which
refuses a stored file whose SHA-256 no longer matches the one recorded when it was issued.
"""
