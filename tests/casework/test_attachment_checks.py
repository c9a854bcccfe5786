"""Content checked from the bytes, not the name: lying files, zip bombs, the virus-scanner hook (and clamd)."""

import io
import socket
import struct
import threading
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.attachments.sniffing import check_upload
from casework.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("_rels/.rels", "<Relationships/>")
    return out.getvalue()


def bomb(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * size)
    return out.getvalue()


def message(name: str, data: bytes) -> str:
    with pytest.raises(DomainError) as caught:
        check_upload(SimpleUploadedFile(name, data), field="files")
    assert "files" in caught.value.field_errors
    return caught.value.message


@pytest.mark.parametrize("name,data,content_type", [
    ("报告.pdf", PDF, "application/pdf"), ("现场照片.png", PNG, "image/png"),
    ("清单.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("说明.txt", "投标文件机器码一致。".encode(), "text/plain; charset=utf-8"),
    ("名单.csv", "名称,代码\n甲公司,9141\n".encode("gb18030"), "text/csv; charset=utf-8"),
])
def test_real_files_are_accepted_with_their_hash(name, data, content_type):
    import hashlib

    checked = check_upload(SimpleUploadedFile(name, data))
    assert (checked.name, checked.size, checked.content_type) == (name, len(data), content_type)
    assert checked.sha256 == hashlib.sha256(data).hexdigest() and checked.data == data


def test_an_executable_named_pdf_is_refused():
    assert "Windows 可执行程序" in message("比对报告.pdf", EXE)
    assert "可执行程序" in message("报告.pdf", ELF)


def test_an_svg_named_png_is_refused():
    text = message("照片.png", SVG)
    assert "SVG" in text and ".png" in text


def test_html_named_txt_and_binary_named_csv_are_refused():
    assert "HTML" in message("说明.txt", b"<html><script>alert(1)</script></html>")
    assert "与扩展名 .csv 不符" in message("名单.csv", b"\x00\x01\x02binary")


def test_a_pdf_named_docx_is_refused():
    assert "PDF 文档" in message("清单.docx", PDF)


def test_a_zip_bomb_is_refused_with_a_clear_message(settings):
    settings.ATTACHMENT_MAX_EXPANDED_BYTES = 5 * 1024 * 1024
    text = message("材料.zip", bomb(6 * 1024 * 1024))
    assert "压缩炸弹" in text and "材料.zip" in text
    # a small honest archive is fine
    assert check_upload(SimpleUploadedFile("材料.zip", docx())).content_type == "application/zip"


def test_a_highly_compressed_member_is_refused_even_under_the_total_limit():
    assert "压缩比异常" in message("材料.zip", bomb(4 * 1024 * 1024))  # 4 MB of zeros: ~1000:1


def test_a_corrupt_archive_is_refused():
    data = docx()
    assert "不是完好的压缩文件" in message("材料.zip", data[:40] + b"\0" * 10 + data[50:-30])


def test_empty_unknown_and_oversized_files(settings):
    assert "为空" in message("a.pdf", b"")
    assert "不支持的文件类型" in message("a.exe", EXE)
    settings.ATTACHMENT_MAX_BYTES = 10
    assert "过大" in message("a.pdf", PDF)


def flag_everything(name, data):
    return "Test.Threat" if b"EICAR" in data else None


def test_the_virus_scanner_hook_is_off_by_default_and_refuses_what_it_flags(settings):
    data = b"%PDF-1.4 EICAR"
    assert check_upload(SimpleUploadedFile("a.pdf", data)).size == len(data)
    settings.ATTACHMENT_SCANNER = "tests.casework.test_attachment_checks.flag_everything"
    assert "未通过病毒检查（Test.Threat）" in message("a.pdf", data)
    assert check_upload(SimpleUploadedFile("b.pdf", PDF)).size == len(PDF)


class FakeClamd:
    """Speaks clamd's INSTREAM protocol on a local port: FOUND for data containing EICAR, else OK."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                buf = b""
                while not buf.endswith(b"\0") or len(buf) < 10:
                    buf += conn.recv(1)
                assert buf == b"zINSTREAM\0"
                data = b""
                while True:
                    (n,) = struct.unpack("!L", self._read(conn, 4))
                    if n == 0:
                        break
                    data += self._read(conn, n)
                self.received.append(data)
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0")

    @staticmethod
    def _read(conn, n):
        out = b""
        while len(out) < n:
            out += conn.recv(n - len(out))
        return out


def test_clamd_backend_streams_the_bytes_and_reads_the_verdict(settings):
    clamd = FakeClamd()
    settings.ATTACHMENT_SCANNER = "casework.attachments.scanning.clamd_scan"
    settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", clamd.port
    assert check_upload(SimpleUploadedFile("clean.pdf", PDF)).size == len(PDF)
    assert "Eicar-Test-Signature" in message("dirty.pdf", b"%PDF-1.4 EICAR-STANDARD-ANTIVIRUS-TEST")
    assert clamd.received[0] == PDF
    clamd.sock.close()


def test_an_unreachable_clamd_refuses_the_upload(settings):
    from casework.attachments.scanning import ScannerUnavailable

    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    settings.ATTACHMENT_SCANNER = "casework.attachments.scanning.clamd_scan"
    settings.CLAMD_PORT = port
    with pytest.raises(ScannerUnavailable):
        check_upload(SimpleUploadedFile("a.pdf", PDF))
