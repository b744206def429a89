#!/usr/bin/env python3
"""mkoffice.py - turn a small Markdown file into .docx, .odt or .pdf.

Only the standard library: a .docx and an .odt are ZIP files of XML, and
the PDF uses the standard Helvetica font with WinAnsiEncoding, so accented
French text survives extraction. Headings are lines starting with '#';
paragraphs are separated by blank lines. Used to make the demo corpus and
the test fixtures: python3 mkoffice.py IN.md OUT.{docx,odt,pdf}
"""
import sys
import textwrap
import zipfile
from xml.sax.saxutils import escape


def blocks(md):
    out, para = [], []
    for line in md.splitlines():
        s = line.strip()
        if s.startswith('#'):
            if para:
                out.append((0, ' '.join(para)))
                para = []
            level = len(s) - len(s.lstrip('#'))
            out.append((level, s.lstrip('#').strip()))
        elif not s:
            if para:
                out.append((0, ' '.join(para)))
                para = []
        else:
            para.append(s)
    if para:
        out.append((0, ' '.join(para)))
    return out


FIXED = (2026, 1, 1, 0, 0, 0)  # reproducible archives


def zput(z, name, data, compress=zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(name, FIXED)
    info.compress_type = compress
    z.writestr(info, data)


def docx(bl, path):
    body = []
    for level, text in bl:
        style = '<w:pPr><w:pStyle w:val="Heading%d"/></w:pPr>' % level if level else ''
        body.append('<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>'
                    % (style, escape(text)))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body>%s</w:body></w:document>' % ''.join(body))
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/'
             'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    with zipfile.ZipFile(path, 'w') as z:
        zput(z, '[Content_Types].xml', types)
        zput(z, '_rels/.rels', rels)
        zput(z, 'word/document.xml', doc)


def odt(bl, path):
    body = []
    for level, text in bl:
        if level:
            body.append('<text:h text:outline-level="%d">%s</text:h>' % (level, escape(text)))
        else:
            body.append('<text:p>%s</text:p>' % escape(text))
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:text>%s</office:text></office:body></office:document-content>'
               % ''.join(body))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                'vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, 'w') as z:
        zput(z, 'mimetype', 'application/vnd.oasis.opendocument.text', zipfile.ZIP_STORED)
        zput(z, 'META-INF/manifest.xml', manifest)
        zput(z, 'content.xml', content)


def pdf_str(s):
    b = s.encode('cp1252', 'replace')
    return b.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)')


def pdf(bl, path):
    pages, ops, y = [], [], 800
    for level, text in bl:
        size = {1: 20, 2: 15, 3: 13}.get(level, 11)
        width = int(95 * 11 / size)
        lines = textwrap.wrap(text, width) or ['']
        if y - (len(lines) + 1) * size * 1.4 < 50:
            pages.append(ops)
            ops, y = [], 800
        y -= size * 0.6 if level else 0
        for ln in lines:
            ops.append(b'BT /F1 %d Tf 50 %d Td (%s) Tj ET' % (size, int(y), pdf_str(ln)))
            y -= size * 1.4
        y -= 8
    pages.append(ops)
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>', None,
            b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>']
    kids = []
    for ops in pages:
        stream = b'\n'.join(ops)
        objs.append(b'<< /Length %d >>\nstream\n%s\nendstream' % (len(stream), stream))
        content = len(objs)
        objs.append(b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
                    b'/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>' % content)
        kids.append(len(objs))
    objs[1] = b'<< /Type /Pages /Kids [%s] /Count %d >>' % (
        b' '.join(b'%d 0 R' % k for k in kids), len(kids))
    out = bytearray(b'%PDF-1.4\n')
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n%s\nendobj\n' % (i, o)
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)
    with open(path, 'wb') as f:
        f.write(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding='utf-8') as f:
        bl = blocks(f.read())
    {'docx': docx, 'odt': odt, 'pdf': pdf}[dst.rsplit('.', 1)[1]](bl, dst)


if __name__ == '__main__':
    main()
