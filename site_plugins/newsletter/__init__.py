"""Newsletter publisher: Markdown issues -> model -> site pages, search index, issue PDFs.

Only ``plugin.py`` (and ``config.py``) know about MkDocs; everything else works on the model.
"""
