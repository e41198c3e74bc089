"""Pure processing for digitised resources: no models, no ORM; tasks and services call these.

- ``sniff``: the real type from the bytes;  ``validate``: refusals before anything is stored;
- ``images``: scanned images to one PDF;  ``text``: per-page text (pdfminer.six);
- ``ocr``: Tesseract;  ``render``: page images and thumbnails (pypdfium2 + Pillow);
- ``batch``: ZIP/folder + metadata CSV;  ``samples``: generated Vietnamese test documents.
"""
